"""The register of signing certificates, read-only: certificates come from the PKI, not from forms."""

from django.contrib import admin
from django.http import HttpRequest

from motcua.signing.models import SigningCertificate


@admin.register(SigningCertificate)
class SigningCertificateAdmin(admin.ModelAdmin):
    list_display = ("agency_name", "agency", "source", "not_before", "not_after", "fingerprint_sha256")
    list_filter = ("source",)
    search_fields = ("agency__code", "agency_name", "subject", "fingerprint_sha256")
    readonly_fields = [field.name for field in SigningCertificate._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SigningCertificate | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SigningCertificate | None = None) -> bool:
        return False
