"""The certificates agencies have signed with: a register, not a trust store.

Trust comes from the certificate chain (`pki.trust_roots`); this table only remembers which
agency each certificate was used for, so verification can name the agency even when a
production certificate's subject does not carry our agency code, and so operators can see
in the admin which certificates exist and when they expire. Rows are written by
`services` (never in `save()`); keys never reach the database.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SigningCertificate(models.Model):
    class Source(models.TextChoices):
        DEVELOPMENT = "development", _("CA phát triển (tự tạo)")
        PKCS12 = "pkcs12", _("Tệp PKCS#12")
        PKCS11 = "pkcs11", _("Thiết bị ký số PKCS#11 (token/HSM)")

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="signing_certificates", verbose_name=_("cơ quan")
    )
    # The agency's full name when the certificate was first used (a CN holds at most 64 bytes).
    agency_name = models.CharField(_("tên cơ quan khi ký"), max_length=255)
    fingerprint_sha256 = models.CharField(_("vân tay SHA-256"), max_length=64, unique=True)
    subject = models.CharField(_("chủ thể"), max_length=500)
    issuer = models.CharField(_("tổ chức cấp"), max_length=500)
    serial_number = models.CharField(_("số hiệu"), max_length=80)
    not_before = models.DateTimeField(_("hiệu lực từ"))
    not_after = models.DateTimeField(_("hiệu lực đến"))
    source = models.CharField(_("nguồn"), max_length=12, choices=Source.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agency", "-not_after"]
        verbose_name = _("chứng thư số")
        verbose_name_plural = _("chứng thư số")

    def __str__(self) -> str:
        return f"{self.subject} ({self.fingerprint_sha256[:16]}…)"
