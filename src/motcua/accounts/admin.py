from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import ApiToken, ApplicantProfile, OfficerMembership, RecoveryCode, TwoFactorDevice, User


class ApplicantProfileInline(admin.StackedInline):
    model = ApplicantProfile
    can_delete = False
    extra = 0


class OfficerMembershipInline(admin.TabularInline):
    model = OfficerMembership
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "kind", "is_active", "locked_at"]
    list_filter = ["kind", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Thông tin"), {"fields": ("kind", "full_name", "email", "phone")}),
        (_("Bảo mật"), {"fields": ("is_active", "failed_login_count", "locked_at")}),
        (_("Quyền quản trị"), {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Thời điểm"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "kind", "full_name", "password1", "password2")}),
    )
    inlines = [ApplicantProfileInline, OfficerMembershipInline]
    actions = ["unlock_accounts", "turn_off_two_step_login"]

    @admin.action(description=_("Mở khoá tài khoản đã chọn"))
    def unlock_accounts(self, request, queryset):
        queryset.update(failed_login_count=0, locked_at=None)

    @admin.action(description=_("Tắt đăng nhập hai bước (người dùng mất điện thoại và mã dự phòng)"))
    def turn_off_two_step_login(self, request, queryset):
        # Only after checking the person's identity papers at a counter.
        TwoFactorDevice.objects.filter(user__in=queryset).delete()
        RecoveryCode.objects.filter(user__in=queryset).delete()


@admin.register(OfficerMembership)
class OfficerMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role", "valid_from", "valid_to"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "agency__name", "agency__code"]
    autocomplete_fields = ["user", "agency"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "created_at", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = ["key_hash", "prefix", "created_at", "last_used_at"]
    search_fields = ["user__username", "prefix"]
