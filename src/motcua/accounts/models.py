"""One account per person or organisation, applicant profiles, officer memberships, tokens."""

from datetime import date

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    class Kind(models.TextChoices):
        CITIZEN = "citizen", _("Công dân")
        BUSINESS = "business", _("Doanh nghiệp")
        ORGANISATION = "organisation", _("Tổ chức")
        OFFICER = "officer", _("Cán bộ, công chức")
        ADMIN = "admin", _("Quản trị hệ thống")

    kind = models.CharField(_("loại tài khoản"), max_length=20, choices=Kind.choices, default=Kind.CITIZEN)
    # One field, family name first, as Vietnamese write it (first/last_name stay unused).
    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    failed_login_count = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_applicant(self) -> bool:
        return self.kind in {self.Kind.CITIZEN, self.Kind.BUSINESS, self.Kind.ORGANISATION}

    @property
    def is_officer(self) -> bool:
        return self.kind == self.Kind.OFFICER


class ApplicantProfile(models.Model):
    """Who applies: a person (personal ID) or a business/organisation (tax code)."""

    class Kind(models.IntegerChoices):
        # LoaiDoiTuong of the national portal.
        PERSON = 1, _("Cá nhân")
        BUSINESS = 2, _("Doanh nghiệp, tổ chức")

    class VerificationSource(models.TextChoices):
        NONE = "", _("Chưa xác thực")
        POPULATION_DB = "population_db", _("Cơ sở dữ liệu quốc gia về dân cư")
        VNEID = "vneid", _("Tài khoản định danh điện tử VNeID")
        BUSINESS_REGISTRY = "business_registry", _("Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp")
        COUNTER = "counter", _("Đối chiếu giấy tờ tại bộ phận một cửa")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    kind = models.PositiveSmallIntegerField(_("loại đối tượng"), choices=Kind.choices, default=Kind.PERSON)
    # Personal ID (12 digits) for a person, tax code for a business. Unique: one account each.
    id_number = models.CharField(_("số định danh / mã số thuế"), max_length=20, unique=True)
    name = models.CharField(_("họ và tên / tên tổ chức"), max_length=255)
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    gender = models.CharField(_("giới tính"), max_length=10, blank=True)
    address = models.CharField(_("địa chỉ thường trú / trụ sở"), max_length=255, blank=True)
    representative_name = models.CharField(_("người đại diện theo pháp luật"), max_length=150, blank=True)
    verified_at = models.DateTimeField(_("xác thực lúc"), null=True, blank=True)
    verification_source = models.CharField(
        _("xác thực qua"), max_length=30, choices=VerificationSource.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("hồ sơ người nộp")
        verbose_name_plural = _("hồ sơ người nộp")

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class OfficerMembership(models.Model):
    """An officer's role in an agency, for a period."""

    class Role(models.TextChoices):
        RECEIVER = "receiver", _("Cán bộ một cửa (tiếp nhận, trả kết quả)")
        SPECIALIST = "specialist", _("Chuyên viên xử lý")
        LEADER = "leader", _("Lãnh đạo (phê duyệt, ký)")
        AGENCY_ADMIN = "agency_admin", _("Quản trị đơn vị")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    title = models.CharField(_("chức danh"), max_length=120, blank=True)
    valid_from = models.DateField(_("từ ngày"), default=date(2000, 1, 1))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("vai trò cán bộ")
        verbose_name_plural = _("vai trò cán bộ")
        constraints = [models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_user_agency_role")]
        indexes = [models.Index(fields=["agency", "role"], name="membership_agency_role")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.agency}"


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored, so a leaked table grants nothing."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("khoá truy cập API")
        verbose_name_plural = _("khoá truy cập API")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class TwoFactorDevice(models.Model):
    """An authenticator app (TOTP, RFC 6238) bound to an account; active once confirmed."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="two_factor")
    secret = models.CharField(max_length=64)  # base32, shown once at set-up
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last accepted time step: a code is accepted once, so an overheard code cannot be replayed.
    last_step = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("ứng dụng xác thực")
        verbose_name_plural = _("ứng dụng xác thực")

    def __str__(self) -> str:
        return f"TOTP ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(models.Model):
    """A one-time code for when the phone is lost; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã dự phòng")
        verbose_name_plural = _("mã dự phòng")
        indexes = [models.Index(fields=["user", "code_hash"], name="recovery_user_hash")]

    def __str__(self) -> str:
        return f"{self.user} – {'used' if self.used_at else 'unused'}"
