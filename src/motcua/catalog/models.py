"""The procedure catalogue: procedures, their dated versions, documents, e-forms, steps, fees.

A `Procedure` is the stable identity (national code, popularity). Everything a citizen or an
officer relies on lives in a `ProcedureVersion`, effective from a date: an edit makes a new
version, so a dossier keeps (by foreign key) the version it was received under. Documents,
fees and internal steps belong to a version.

Implementing agencies: explicit links (`ProcedureAgency`, receiving and/or deciding), plus
the flag `all_commune_units` for procedures every ward, commune and special zone performs —
one flag instead of 168 rows per procedure. Selectors expand the flag when asked.

No logic in `save()`: writes go through `services.py` and `imports.py`.
"""

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

COMMUNE_LEVELS = ("ward", "commune", "special_zone")


class Field(models.Model):
    """A field of procedures (lĩnh vực), e.g. Hộ tịch, Cư trú, Việc làm."""

    code = models.CharField(_("mã lĩnh vực"), max_length=40, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=255)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """The stable identity of an administrative procedure (thủ tục hành chính)."""

    code = models.CharField(_("mã thủ tục"), max_length=60, unique=True)
    # How many dossiers/visits it gets: the tie-breaker of search ranking.
    popularity = models.PositiveIntegerField(_("mức độ sử dụng"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")

    def __str__(self) -> str:
        return self.code


class Level(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh/thành phố")
    COMMUNE = "commune", _("Cấp xã/phường/đặc khu")


class OnlineMode(models.TextChoices):
    FULL = "full", _("Trực tuyến toàn trình")
    PARTIAL = "partial", _("Trực tuyến một phần")
    NONE = "none", _("Chỉ nộp trực tiếp hoặc qua bưu chính")


class Status(models.TextChoices):
    ACTIVE = "active", _("Đang áp dụng")
    DRAFT = "draft", _("Bản nháp")
    ABOLISHED = "abolished", _("Đã bãi bỏ")


class ResultType(models.TextChoices):
    PAPER = "paper", _("Bản giấy")
    ELECTRONIC = "electronic", _("Bản điện tử")
    BOTH = "both", _("Bản điện tử và bản giấy")


class ProcedureVersionQuerySet(models.QuerySet["ProcedureVersion"]):
    def in_force_on(self, day: date) -> "ProcedureVersionQuerySet":
        return self.filter(
            Q(status=Status.ACTIVE), Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class ProcedureVersion(models.Model):
    """The content of a procedure effective from `valid_from` (to `valid_to`, inclusive).

    A dossier references the version it was received under: keep rows, never rewrite a
    version that dossiers use; make a new one with `procedure_version_create`.
    """

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="versions")
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    field = models.ForeignKey(Field, on_delete=models.PROTECT, related_name="versions", verbose_name=_("lĩnh vực"))
    level = models.CharField(_("cấp thực hiện"), max_length=12, choices=Level.choices)
    all_commune_units = models.BooleanField(
        _("mọi phường, xã, đặc khu thực hiện"),
        default=False,
        help_text=_("Bật khi mọi đơn vị hành chính cấp xã đang hoạt động đều tiếp nhận thủ tục này."),
    )
    online_mode = models.CharField(_("dịch vụ trực tuyến"), max_length=10, choices=OnlineMode.choices)
    processing_days = models.PositiveSmallIntegerField(
        _("thời hạn (ngày làm việc)"), null=True, blank=True, help_text=_("Để trống nếu thời hạn tính bằng giờ.")
    )
    processing_hours = models.PositiveSmallIntegerField(
        _("thời hạn (giờ làm việc)"), null=True, blank=True, help_text=_("Chỉ dùng cho thủ tục dưới một ngày.")
    )
    cutoff_hour = models.TimeField(
        _("giờ chốt nhận hồ sơ"),
        null=True,
        blank=True,
        help_text=_("Hồ sơ nhận sau giờ này được tính là nhận vào ngày làm việc kế tiếp."),
    )
    result_type = models.CharField(_("loại kết quả"), max_length=12, choices=ResultType.choices)
    result_name = models.CharField(_("kết quả"), max_length=500, blank=True)
    applicants = models.TextField(_("ai được nộp"), blank=True)
    description = models.TextField(_("mô tả ngắn"), blank=True)
    result_delivery = models.TextField(_("nhận kết quả ở đâu"), blank=True)
    # Everyday words people use for this procedure; searched with a weight below the name.
    keywords = models.CharField(_("từ khoá thông dụng"), max_length=500, blank=True)
    legal_basis = models.JSONField(_("căn cứ pháp lý"), default=list, blank=True)
    fee_note = models.CharField(_("ghi chú về phí, lệ phí"), max_length=500, blank=True)
    form_schema = models.JSONField(_("tờ khai điện tử (JSON Schema)"), default=dict, blank=True)
    source = models.CharField(_("nguồn thông tin"), max_length=500, blank=True)
    notes = models.TextField(_("ghi chú nội bộ"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProcedureVersionQuerySet.as_manager()

    class Meta:
        ordering = ["procedure__code", "valid_from"]
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "valid_from"], name="catalog_version_procedure_from"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="catalog_version_valid_range",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "valid_from", "valid_to"], name="catalog_version_in_force"),
            models.Index(fields=["field", "status"], name="catalog_version_field"),
            models.Index(fields=["online_mode", "status"], name="catalog_version_online"),
            models.Index(fields=["updated_at"], name="catalog_version_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} – {self.name} (từ {self.valid_from:%d/%m/%Y})"

    @property
    def code(self) -> str:
        return self.procedure.code

    @property
    def processing_working_hours(self) -> int:
        """The processing time in working hours (8 a day): what the steps must add up to."""
        if self.processing_hours:
            return self.processing_hours
        return (self.processing_days or 0) * 8


class ProcedureAgency(models.Model):
    class Role(models.TextChoices):
        RECEIVING = "receiving", _("Tiếp nhận và giải quyết")
        DECIDING = "deciding", _("Quyết định (phê duyệt)")

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="agency_links")
    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="procedure_links", verbose_name=_("cơ quan")
    )
    role = models.CharField(_("vai trò"), max_length=12, choices=Role.choices, default=Role.RECEIVING)

    class Meta:
        ordering = ["id"]
        verbose_name = _("cơ quan thực hiện")
        verbose_name_plural = _("cơ quan thực hiện")
        constraints = [
            models.UniqueConstraint(fields=["version", "agency", "role"], name="catalog_procagency_unique"),
        ]
        indexes = [models.Index(fields=["agency", "version"], name="catalog_procagency_agency")]

    def __str__(self) -> str:
        return f"{self.agency} ({self.get_role_display()})"


class StateDataSource(models.TextChoices):
    """Databases a document's data can be taken from instead of an upload (NQ 66.7/2025)."""

    NONE = "", _("Không — người nộp phải cung cấp")
    POPULATION_DB = "population_db", _("Cơ sở dữ liệu quốc gia về dân cư")
    CIVIL_STATUS_DB = "civil_status_db", _("Cơ sở dữ liệu hộ tịch điện tử")
    BUSINESS_REGISTRY = "business_registry", _("Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp")
    LAND_DB = "land_db", _("Cơ sở dữ liệu đất đai")
    HEALTH_DB = "health_db", _("Hệ thống dữ liệu y tế")
    INSURANCE_DB = "insurance_db", _("Cơ sở dữ liệu bảo hiểm")
    VEHICLE_DB = "vehicle_db", _("Cơ sở dữ liệu đăng ký xe, giấy phép lái xe")
    DATA_STORE = "data_store", _("Kho dữ liệu điện tử của người nộp (giấy tờ đã được cấp)")


class RequiredDocument(models.Model):
    class Form(models.TextChoices):
        ORIGINAL = "original", _("Bản chính")
        COPY = "copy", _("Bản sao")
        CERTIFIED_COPY = "certified_copy", _("Bản sao có chứng thực hoặc bản sao kèm bản chính để đối chiếu")

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="documents")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    code = models.CharField(_("mã giấy tờ"), max_length=40)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    copies = models.PositiveSmallIntegerField(_("số bản"), default=1)
    form = models.CharField(_("bản chính/bản sao"), max_length=16, choices=Form.choices, default=Form.ORIGINAL)
    required = models.BooleanField(_("bắt buộc"), default=True)
    template_url = models.CharField(_("mẫu đơn, tờ khai"), max_length=500, blank=True)
    state_data_source = models.CharField(
        _("lấy từ dữ liệu nhà nước"), max_length=20, choices=StateDataSource.choices, blank=True, default=""
    )
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="catalog_document_code")]

    def __str__(self) -> str:
        return self.name


class Fee(models.Model):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    case = models.CharField(_("trường hợp"), max_length=300)
    amount_vnd = models.PositiveBigIntegerField(_("mức thu (đồng)"))
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")

    def __str__(self) -> str:
        return f"{self.case}: {self.amount_vnd} đ"


class ProcessStep(models.Model):
    """One internal step of the process (quy trình nội bộ), with its time budget."""

    class Role(models.TextChoices):
        RECEIVER = "receiver", _("Cán bộ một cửa (tiếp nhận, trả kết quả)")
        SPECIALIST = "specialist", _("Chuyên viên xử lý")
        LEADER = "leader", _("Lãnh đạo (phê duyệt, ký)")

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên bước"), max_length=300)
    role = models.CharField(_("vai trò thực hiện"), max_length=12, choices=Role.choices)
    agency = models.ForeignKey(
        "directory.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cơ quan (nếu khác cơ quan tiếp nhận)"),
    )
    hours = models.DecimalField(_("thời gian (giờ làm việc)"), max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("quy trình nội bộ")

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class Synonym(models.Model):
    """An everyday phrase and the official words it means, for search ("sổ đỏ" → "giấy chứng nhận …")."""

    term = models.CharField(_("cách nói thông dụng"), max_length=200, unique=True)
    expansion = models.CharField(_("từ ngữ chính thức"), max_length=500)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["term"]
        verbose_name = _("từ đồng nghĩa (tìm kiếm)")
        verbose_name_plural = _("từ đồng nghĩa (tìm kiếm)")
        indexes = [models.Index(fields=["updated_at"], name="catalog_synonym_updated")]

    def __str__(self) -> str:
        return f"{self.term} → {self.expansion}"
