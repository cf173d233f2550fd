"""Agencies as effective-dated data, and the service centres where people queue.

Vietnam reorganised its local government on 1/7/2025 (districts dissolved, provinces
merged), so the hierarchy is data: an agency has a validity period and, once dissolved, a
successor that inherits its open dossiers. Nothing is deleted; history stays readable.

A dissolved agency may be split among several successors (District 1 became four wards):
`successors` records them all (through `AgencySuccession`, with a note on what each took
over), and `successor` is the principal one, which takes the open dossiers by default.
Names are stored NFC with `name_folded` (accent-folded) for search; both are set by
`directory.services`, never in `save()`.
"""

from datetime import date

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class AgencyQuerySet(models.QuerySet["Agency"]):
    def active_on(self, day: date) -> "AgencyQuerySet":
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class Agency(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("Tỉnh/thành phố")
        DEPARTMENT = "department", _("Sở, ban, ngành")
        CENTRE = "centre", _("Trung tâm phục vụ hành chính công")
        DISTRICT = "district", _("Quận/huyện/thành phố thuộc tỉnh (trước 1/7/2025)")
        WARD = "ward", _("Phường")
        COMMUNE = "commune", _("Xã")
        SPECIAL_ZONE = "special_zone", _("Đặc khu")

    code = models.CharField(_("mã cơ quan"), max_length=40, unique=True)
    name = models.CharField(_("tên cơ quan"), max_length=255)
    short_name = models.CharField(_("tên ngắn"), max_length=120, blank=True)
    level = models.CharField(_("cấp"), max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("cơ quan cấp trên"),
    )
    successor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        verbose_name=_("cơ quan kế thừa chính"),
        help_text=_("Cơ quan tiếp nhận hồ sơ đang giải quyết của cơ quan đã giải thể."),
    )
    # Every successor of a split or merged agency; `successor` is one of them.
    successors: "models.ManyToManyField[Agency, AgencySuccession]" = models.ManyToManyField(
        "self",
        symmetrical=False,
        through="AgencySuccession",
        through_fields=("predecessor", "successor"),
        related_name="all_predecessors",
        blank=True,
        verbose_name=_("các cơ quan kế thừa"),
    )
    valid_from = models.DateField(_("hiệu lực từ"), default=date(2000, 1, 1))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    # The national divisions code (vietnam-provinces) for wards and communes.
    division_code = models.CharField(_("mã đơn vị hành chính"), max_length=10, blank=True)
    # [["07:30", "11:30"], ["13:00", "17:00"]]; empty means the national default.
    working_hours = models.JSONField(_("giờ làm việc"), default=list, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    name_folded = models.CharField(_("tên không dấu (tìm kiếm)"), max_length=255, editable=False, default="")

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        indexes = [
            models.Index(fields=["level", "code"], name="agency_level_code"),
            models.Index(fields=["valid_from", "valid_to"], name="agency_validity"),
            models.Index(fields=["parent", "code"], name="agency_parent_code"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="agency_valid_period"
            ),
            models.CheckConstraint(condition=~Q(successor=F("pk")), name="agency_not_own_successor"),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="agency_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_active_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)


class AgencySuccession(models.Model):
    """One predecessor → successor link, with what the successor took over."""

    predecessor = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="succession_links", verbose_name=_("cơ quan giải thể")
    )
    successor = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="predecessor_links", verbose_name=_("cơ quan kế thừa")
    )
    note = models.CharField(_("phần nhiệm vụ, địa bàn kế thừa"), max_length=255, blank=True)

    class Meta:
        ordering = ["predecessor", "successor__code"]
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="agency_succession_unique"),
            models.CheckConstraint(condition=~Q(predecessor=F("successor")), name="agency_succession_not_self"),
        ]
        verbose_name = _("quan hệ kế thừa")
        verbose_name_plural = _("quan hệ kế thừa")

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class ServiceCentre(models.Model):
    """A place with one-stop counters (the city's centre, a ward's one-stop desk)."""

    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="service_centres", verbose_name=_("cơ quan chủ quản")
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    issues_queue_numbers = models.BooleanField(_("cấp số thứ tự"), default=True)
    active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("trung tâm/bộ phận một cửa")
        verbose_name_plural = _("trung tâm/bộ phận một cửa")

    def __str__(self) -> str:
        return self.name


class Counter(models.Model):
    """A desk (quầy) of a service centre and the services it serves."""

    centre = models.ForeignKey(
        ServiceCentre, on_delete=models.CASCADE, related_name="counters", verbose_name=_("trung tâm/bộ phận một cửa")
    )
    number = models.PositiveSmallIntegerField(_("số quầy"))
    name = models.CharField(_("tên quầy"), max_length=255)
    # Service keys (e.g. "ho-tich", "lao-dong") the counter calls numbers for.
    services = models.JSONField(_("dịch vụ"), default=list, blank=True)
    active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        ordering = ["centre", "number"]
        constraints = [models.UniqueConstraint(fields=["centre", "number"], name="counter_centre_number")]
        verbose_name = _("quầy")
        verbose_name_plural = _("quầy")

    def __str__(self) -> str:
        return f"{self.centre.name} – {self.name}"
