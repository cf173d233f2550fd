import time

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.forms import NewPasswordForm, ResetRequestForm, TwoFactorCodeForm
from motcua.accounts.models import User
from motcua.accounts.services import user_record_failed_login, user_sign_in, user_unlock
from motcua.accounts.throttle import reset_email_allowed
from motcua.accounts.two_factor import two_factor_check, two_factor_enabled
from motcua.core.errors import DomainError
from motcua.portal.forms import LoginForm

# The half-signed-in state between the password and the code lives in the session only.
PENDING_USER, PENDING_SINCE, PENDING_NEXT, PENDING_TRIES = "2fa_user", "2fa_since", "2fa_next", "2fa_tries"
PENDING_SECONDS = 300
PENDING_MAX_TRIES = 5


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return None


def landing_url(user: User) -> str:
    """Where a person lands after signing in: their dossiers, or an officer's work queue."""
    back_office = user.is_officer or user.kind == User.Kind.ADMIN
    names = ["backoffice:home"] if back_office else ["portal:my_dossiers"] if user.is_applicant else []
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:  # that part of the site is not installed
            continue
    return reverse("portal:home")


def _clear_pending(request: HttpRequest) -> None:
    for key in (PENDING_USER, PENDING_SINCE, PENDING_NEXT, PENDING_TRIES):
        request.session.pop(key, None)


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    form.fields["username"].widget.attrs["aria-describedby"] = "login-username-hint"
    if request.method == "POST" and form.is_valid():
        try:
            user = user_sign_in(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                second_step_later=True,
            )
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            if two_factor_enabled(user):
                request.session.cycle_key()
                request.session.update(
                    {
                        PENDING_USER: user.pk,
                        PENDING_SINCE: time.time(),
                        PENDING_NEXT: _safe_next(request) or "",
                        PENDING_TRIES: 0,
                    }
                )
                return redirect("portal:accounts:login_code")
            login(request, user)
            return redirect(_safe_next(request) or landing_url(user))
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "next": _safe_next(request) or ""}
    return render(request, "accounts/login.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def login_code_view(request: HttpRequest) -> HttpResponse:
    """Second step: the code from the authenticator app, or a recovery code."""
    user_id, since = request.session.get(PENDING_USER), request.session.get(PENDING_SINCE, 0)
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None or time.time() - since > PENDING_SECONDS or user.locked_at is not None:
        _clear_pending(request)
        messages.info(request, _("Phiên đăng nhập đã hết hạn. Vui lòng nhập lại mật khẩu."))
        return redirect("portal:accounts:login")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor_check(user=user, code=form.cleaned_data["code"]):
            target = request.session.get(PENDING_NEXT) or landing_url(user)
            _clear_pending(request)
            User.objects.filter(pk=user.pk, failed_login_count__gt=0).update(failed_login_count=0)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(target)
        # A wrong code counts like a wrong password: whoever is guessing already has the password.
        user_record_failed_login(user=user)
        tries = request.session.get(PENDING_TRIES, 0) + 1
        if tries >= PENDING_MAX_TRIES:
            _clear_pending(request)
            messages.error(request, _("Nhập sai mã quá nhiều lần. Vui lòng đăng nhập lại từ đầu."))
            return redirect("portal:accounts:login")
        request.session[PENDING_TRIES] = tries
        form.add_error(
            "code", _("Mã xác thực chưa đúng hoặc đã hết hạn. Hãy nhập mã 6 chữ số đang hiện trong ứng dụng.")
        )
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/login_code.html", {"form": form}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:home")


# --- password reset by e-mail (Django's views; our templates and forms) ----------------------


class PasswordResetView(auth_views.PasswordResetView):
    """Always says the same thing, whether or not the e-mail has an account (no enumeration)."""

    template_name = "accounts/password_reset.html"
    form_class = ResetRequestForm
    email_template_name = "accounts/email/password_reset.txt"
    html_email_template_name = "accounts/email/password_reset.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("portal:accounts:password_reset_done")

    def form_valid(self, form):
        # Over the limit, nothing is sent but the answer is the same: no hint either way.
        if not reset_email_allowed(email=form.cleaned_data["email"], client=self.request.META.get("REMOTE_ADDR", "")):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("portal:accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # The lockout message sends people here: a new password opens a locked account.
        user_unlock(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
