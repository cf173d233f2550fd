"""Administration: agency admins manage their officers' roles; city admins also reach the Django
admin (/quan-tri/) for calendar overrides, agencies and counters, and the reorganisation page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.accounts.rules import is_system_admin
from motcua.backoffice.forms import MembershipAddForm, OfficerCreateForm
from motcua.backoffice.usecases import (
    admin_agencies,
    membership_add,
    membership_end,
    memberships_of_agency,
    officer_create,
)
from motcua.backoffice.views.common import officer_required
from motcua.core.errors import DomainError, NotFound
from motcua.directory.models import Agency
from motcua.dossiers.reorganisation import reorganisation_apply, reorganisation_preview


@require_GET
@officer_required
def admin_home(request: HttpRequest) -> HttpResponse:
    agencies = list(admin_agencies(request.user)[:300])
    if not agencies and not is_system_admin(request.user):
        raise DjangoPermissionDenied
    return render(
        request,
        "backoffice/admin_home.html",
        {"agencies": agencies, "city_admin": is_system_admin(request.user)},
    )


@require_http_methods(["GET", "POST"])
@officer_required
def agency_officers(request: HttpRequest, agency_code: str) -> HttpResponse:
    try:
        agency, memberships = memberships_of_agency(actor=request.user, agency_code=agency_code)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    creating = request.method == "POST" and request.POST.get("form") == "create"
    form = MembershipAddForm(request.POST if request.method == "POST" and not creating else None)
    new_form = OfficerCreateForm(request.POST if creating else None, prefix="new")
    if creating and new_form.is_valid():
        try:
            membership = officer_create(
                actor=request.user,
                agency_code=agency.code,
                link_for=lambda uid, token: request.build_absolute_uri(
                    reverse("portal:accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
                ),
                **new_form.cleaned_data,
            )
        except DomainError as exc:
            field = next((name for name in exc.fields if name in new_form.fields), None)
            new_form.add_error(field, exc.detail)
        else:
            messages.success(
                request,
                _("Đã tạo tài khoản %(username)s; thư đặt mật khẩu đã gửi đến %(email)s.")
                % {"username": membership.user.username, "email": membership.user.email},
            )
            return redirect("backoffice:agency_officers", agency_code=agency.code)
    elif request.method == "POST" and not creating and form.is_valid():
        try:
            membership_add(actor=request.user, agency_code=agency.code, **form.cleaned_data)
        except DomainError as exc:
            form.add_error("username" if "username" in exc.fields else None, exc.detail)
        else:
            messages.success(request, _("Đã giao vai trò cho cán bộ."))
            return redirect("backoffice:agency_officers", agency_code=agency.code)
    return render(
        request,
        "backoffice/agency_officers.html",
        {"agency": agency, "memberships": memberships, "form": form, "new_form": new_form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@officer_required
def membership_remove(request: HttpRequest, agency_code: str, membership_id: int) -> HttpResponse:
    try:
        membership_end(actor=request.user, agency_code=agency_code, membership_id=membership_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Đã thôi giao vai trò."))
    return redirect("backoffice:agency_officers", agency_code=agency_code)


@require_http_methods(["GET", "POST"])
@officer_required
def reorganisation(request: HttpRequest) -> HttpResponse:
    """Preview the dossiers of a dissolved agency and where they go; apply on confirmation."""
    if not is_system_admin(request.user):
        raise DjangoPermissionDenied
    source = (request.POST.get("tu") or request.GET.get("tu") or "").strip()
    target = (request.POST.get("den") or request.GET.get("den") or "").strip()
    plan, error = None, ""
    if source:
        try:
            if request.method == "POST":
                moved = reorganisation_apply(actor=request.user, predecessor_code=source, successor_code=target or None)
                messages.success(request, _("Đã chuyển %(n)s hồ sơ sang cơ quan kế thừa.") % {"n": moved})
                return redirect(f"{request.path}?tu={source}&den={target}")
            plan = reorganisation_preview(actor=request.user, predecessor_code=source, successor_code=target or None)
        except DomainError as exc:
            error = exc.detail
    dissolved = Agency.objects.filter(valid_to__isnull=False).order_by("name").values_list("code", "name")
    return render(
        request,
        "backoffice/reorganisation.html",
        {
            "plan": plan,
            "preview": list(plan.dossiers[:200]) if plan else [],
            "error": error,
            "source": source,
            "target": target,
            "dissolved": list(dissolved),
        },
        status=400 if error else 200,
    )
