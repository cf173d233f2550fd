"""Sign-up, the account page, two-step login set-up and password change."""

from django import forms
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts import signup as signup_services
from motcua.accounts import two_factor
from motcua.accounts.forms import (
    BusinessSignupForm,
    ChangePasswordForm,
    CitizenSignupForm,
    ContactForm,
    OrganisationSignupForm,
    PasswordConfirmForm,
    TwoFactorCodeForm,
)
from motcua.accounts.models import TwoFactorDevice, User
from motcua.accounts.selectors import account_overview
from motcua.core.errors import DomainError
from motcua.integrations.errors import IntegrationUnavailable

# Service field names → form field names, to show a service's error next to its field.
FIELD_MAP = {"password": "password1", "tax_code": "tax_code", "id_number": "id_number", "code": "code"}
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _show_error(form: forms.Form, error: DomainError) -> None:
    for name in error.fields:
        field = FIELD_MAP.get(name, name)
        if field in form.fields:
            form.add_error(field, error.detail)
            return
    form.add_error(None, error.detail)


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _url_or_none(*names: str) -> str | None:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:  # built by another part of the site that may not be installed
            continue
    return None


@require_http_methods(["GET"])
def signup(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup.html")


SIGNUPS = {
    "citizen": (
        CitizenSignupForm,
        lambda data, client: signup_services.citizen_sign_up(
            client=client,
            id_number=data["id_number"],
            full_name=data["full_name"],
            date_of_birth=data["date_of_birth"],
            email=data["email"],
            phone=data["phone"],
            password=data["password1"],
        ),
    ),
    "business": (
        BusinessSignupForm,
        lambda data, client: signup_services.business_sign_up(
            client=client,
            tax_code=data["tax_code"],
            business_name=data["business_name"],
            representative_name=data["representative_name"],
            email=data["email"],
            phone=data["phone"],
            password=data["password1"],
        ),
    ),
    "organisation": (
        OrganisationSignupForm,
        lambda data, client: signup_services.organisation_sign_up(
            code=data["code"], name=data["name"], email=data["email"], phone=data["phone"], password=data["password1"]
        ),
    ),
}


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def signup_form(request: HttpRequest, kind: str) -> HttpResponse:
    if request.user.is_authenticated:
        messages.info(request, _("Bạn đang đăng nhập. Hãy đăng xuất trước khi tạo tài khoản khác."))
        return redirect("portal:accounts:profile")
    form_class, create = SIGNUPS[kind]
    form = form_class(request.POST or None)
    account_exists = False
    if request.method == "POST" and form.is_valid():
        try:
            result = create(form.cleaned_data, client_address(request))
        except DomainError as error:
            account_exists = error.code == "account_exists"
            _show_error(form, error)
        else:
            login(request, result.user, backend=LOGIN_BACKEND)
            if result.verified:
                messages.success(request, _("Đã tạo tài khoản và xác thực thông tin với cơ sở dữ liệu quốc gia."))
            elif kind == "organisation":
                messages.info(
                    request,
                    _(
                        "Đã tạo tài khoản. Tổ chức được xác thực khi bạn mang giấy tờ đến bộ phận một cửa "
                        "lần nộp hồ sơ đầu tiên."
                    ),
                )
            else:
                messages.warning(
                    request,
                    _(
                        "Đã tạo tài khoản, nhưng cơ sở dữ liệu quốc gia đang tạm thời không phản hồi nên thông tin "
                        "chưa được xác thực. Hãy bấm “Xác thực lại” trên trang này sau ít phút."
                    ),
                )
            return redirect("portal:accounts:profile")
    # Password boxes never render their value: all else stays as typed, the password is asked again.
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/signup_form.html",
        {"form": form, "kind": kind, "account_exists": account_exists},
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    overview = account_overview(user)
    initial: dict[str, object] = {"email": user.email, "phone": user.phone}
    if overview.profile is not None:
        initial.update(
            name=overview.profile.name,
            date_of_birth=overview.profile.date_of_birth,
            representative_name=overview.profile.representative_name,
        )
    form = ContactForm(request.POST or None, initial=initial, editable_identity=overview.editable_identity)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # Only the fields this form has: verified identity data never reaches the service.
            signup_services.profile_update(
                user=user,
                email=data["email"],
                phone=data["phone"],
                **{name: data[name] for name in overview.editable_identity if name in data},
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Đã lưu thông tin liên hệ."))
            return redirect("portal:accounts:profile")
    status = 400 if request.method == "POST" else 200
    context = {
        "overview": overview,
        "form": form,
        "notifications_url": _url_or_none(
            "portal:accounts:notifications", "portal:notification_preferences", "portal:notifications"
        ),
    }
    return render(request, "accounts/profile.html", context, status=status)


@login_required
@require_POST
def reverify(request: HttpRequest) -> HttpResponse:
    try:
        signup_services.applicant_reverify(user=request.user, client=client_address(request))  # type: ignore[arg-type]
    except IntegrationUnavailable as error:
        messages.warning(request, error.detail)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Đã xác thực thông tin với cơ sở dữ liệu quốc gia."))
    return redirect("portal:accounts:profile")


# --- two-step login ------------------------------------------------------------------------


def _qr_svg(text: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


@never_cache
@login_required
@require_http_methods(["GET"])
def two_factor_home(request: HttpRequest) -> HttpResponse:
    overview = account_overview(request.user)  # type: ignore[arg-type]
    return render(
        request,
        "accounts/two_factor.html",
        {"overview": overview, "disable_form": PasswordConfirmForm()},
    )


@sensitive_post_parameters("code")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if two_factor.two_factor_enabled(user):
        return redirect("portal:accounts:two_factor")
    device = TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        device = two_factor.two_factor_begin(user=user)
    form = TwoFactorCodeForm(request.POST or None)
    form.fields["code"].help_text = _("6 chữ số đang hiện trong ứng dụng xác thực.")
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.two_factor_confirm(user=user, code=form.cleaned_data["code"])
        except DomainError as error:
            form.add_error("code", error.detail)
        else:
            messages.success(request, _("Đã bật đăng nhập hai bước."))
            return render(request, "accounts/recovery_codes.html", {"codes": codes})
    uri = two_factor.two_factor_provisioning_uri(device)
    secret_groups = " ".join(device.secret[i : i + 4] for i in range(0, len(device.secret), 4))
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "qr_svg": mark_safe(_qr_svg(uri)), "secret": secret_groups}  # noqa: S308 - our own SVG
    return render(request, "accounts/two_factor_setup.html", context, status=status)


@sensitive_post_parameters("password")
@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    form = PasswordConfirmForm(request.POST)
    if form.is_valid():
        try:
            two_factor.two_factor_disable(user=request.user, password=form.cleaned_data["password"])  # type: ignore[arg-type]
        except DomainError as error:
            form.add_error("password", error.detail)
        else:
            messages.success(request, _("Đã tắt đăng nhập hai bước."))
            return redirect("portal:accounts:two_factor")
    overview = account_overview(request.user)  # type: ignore[arg-type]
    return render(request, "accounts/two_factor.html", {"overview": overview, "disable_form": form}, status=400)


@never_cache
@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    try:
        codes = two_factor.recovery_codes_regenerate(user=request.user)  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("portal:accounts:two_factor")
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


@method_decorator(never_cache, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("portal:accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return response
