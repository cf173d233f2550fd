"""Back-office use cases that have no home in a domain app yet: registering a walk-in citizen
and an agency administrator managing their agency's officer roles.

They follow the services' rules (keyword-only arguments, permission checked here, domain
errors with Vietnamese details) so they can move to `accounts/services.py` unchanged.
"""

import secrets
from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from motcua.accounts.models import ApplicantProfile, OfficerMembership, User
from motcua.accounts.rules import is_system_admin, officer_agency_ids
from motcua.accounts.services import officer_account_create
from motcua.core.errors import BadInput, Conflict, NotFound, PermissionDenied
from motcua.core.text import normalize
from motcua.directory.models import Agency


def applicant_find(*, id_number: str) -> User | None:
    profile = ApplicantProfile.objects.select_related("user").filter(id_number=id_number).first()
    return profile.user if profile else None


def applicant_register_at_counter(
    *,
    actor: User,
    id_number: str,
    full_name: str,
    date_of_birth: date | None = None,
    address: str = "",
    phone: str = "",
    email: str = "",
    verified_by_population_db: bool = False,
) -> User:
    """An account for a citizen who walks in without one; they can claim it later with their ID.

    The officer checked the ID card at the desk (or the population database confirmed the
    person): the profile says so, so the e-form can trust the name and ID.
    """
    if not officer_agency_ids(actor, roles={OfficerMembership.Role.RECEIVER}):
        raise PermissionDenied("Chỉ cán bộ tiếp nhận mới đăng ký người nộp tại quầy.")
    full_name = normalize(full_name)
    if not full_name:
        raise BadInput("Vui lòng nhập họ và tên người nộp.", fields={"full_name": "required"})
    if applicant_find(id_number=id_number) is not None:
        raise Conflict("Số định danh này đã có tài khoản; hãy tìm lại người nộp.")
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=f"cd{id_number}",
                password=secrets.token_urlsafe(24),
                kind=User.Kind.CITIZEN,
                full_name=full_name,
                phone=normalize(phone),
                email=normalize(email),
            )
            user.set_unusable_password()
            user.save(update_fields=["password"])
            ApplicantProfile.objects.create(
                user=user,
                kind=ApplicantProfile.Kind.PERSON,
                id_number=id_number,
                name=full_name,
                date_of_birth=date_of_birth,
                address=normalize(address),
                verified_at=timezone.now(),
                verification_source=(
                    ApplicantProfile.VerificationSource.POPULATION_DB
                    if verified_by_population_db
                    else ApplicantProfile.VerificationSource.COUNTER
                ),
            )
    except IntegrityError:
        raise Conflict("Số định danh này vừa được đăng ký; hãy tìm lại người nộp.") from None
    return user


# --- agency administration --------------------------------------------------------------------


def admin_agencies(user: User) -> QuerySet[Agency]:
    """The agencies whose officers `user` may manage: their own as agency admin; all for city admins."""
    if is_system_admin(user):
        return Agency.objects.filter(valid_to__isnull=True).order_by("name")
    ids = officer_agency_ids(user, roles={OfficerMembership.Role.AGENCY_ADMIN})
    return Agency.objects.filter(pk__in=ids).order_by("name")


def _admin_agency(actor: User, agency_code: str) -> Agency:
    agency = admin_agencies(actor).filter(code=agency_code).first()
    if agency is None:
        raise NotFound("Không tìm thấy cơ quan, hoặc bạn không quản trị cơ quan này.")
    return agency


def memberships_of_agency(*, actor: User, agency_code: str) -> tuple[Agency, QuerySet[OfficerMembership]]:
    agency = _admin_agency(actor, agency_code)
    memberships = (
        OfficerMembership.objects.filter(agency=agency).select_related("user").order_by("user__full_name", "role")
    )
    return agency, memberships


def membership_add(*, actor: User, agency_code: str, username: str, role: str, title: str = "") -> OfficerMembership:
    agency = _admin_agency(actor, agency_code)
    if role not in OfficerMembership.Role.values:
        raise BadInput("Vai trò không hợp lệ.", fields={"role": "invalid"})
    officer = User.objects.filter(username=normalize(username)).first()
    if officer is None or not officer.is_officer:
        raise BadInput(
            "Không có cán bộ nào với tên đăng nhập này. Tài khoản cán bộ do quản trị thành phố tạo.",
            fields={"username": "unknown"},
        )
    defaults: dict[str, Any] = {"title": normalize(title), "valid_from": timezone.localdate(), "valid_to": None}
    membership, _ = OfficerMembership.objects.update_or_create(
        user=officer, agency=agency, role=role, defaults=defaults
    )
    return membership


def membership_end(*, actor: User, agency_code: str, membership_id: int) -> OfficerMembership:
    """End a role from today (kept for the record: the dossier logs name who acted in it)."""
    agency = _admin_agency(actor, agency_code)
    membership = OfficerMembership.objects.filter(pk=membership_id, agency=agency).first()
    if membership is None:
        raise NotFound("Không tìm thấy vai trò này trong cơ quan.")
    if membership.user_id == actor.pk and membership.role == OfficerMembership.Role.AGENCY_ADMIN:
        raise Conflict("Bạn không thể tự bỏ quyền quản trị đơn vị của mình; hãy nhờ quản trị khác.")
    today = timezone.localdate()
    if membership.valid_from >= today:
        membership.delete()  # never acted in it
        return membership
    membership.valid_to = date.fromordinal(today.toordinal() - 1)
    membership.save(update_fields=["valid_to"])
    return membership


def officer_create(
    *,
    actor: User,
    agency_code: str,
    full_name: str,
    username: str,
    email: str,
    role: str,
    title: str = "",
    link_for: Callable[[str, str], str],
) -> OfficerMembership:
    """An agency admin creates an officer account with a role in their agency.

    The account has no password: the officer gets an e-mail with a password-reset link
    (Django's reset token, which expires as PASSWORD_RESET_TIMEOUT says). `link_for(uidb64,
    token)` builds the absolute link to the reset page.
    """
    agency = _admin_agency(actor, agency_code)
    if role not in OfficerMembership.Role.values:
        raise BadInput("Vai trò không hợp lệ.", fields={"role": "invalid"})
    with transaction.atomic():
        officer = officer_account_create(username=username, full_name=full_name, email=email)
        membership = OfficerMembership.objects.create(
            user=officer, agency=agency, role=role, title=normalize(title), valid_from=timezone.localdate()
        )
    link = link_for(urlsafe_base64_encode(force_bytes(officer.pk)), default_token_generator.make_token(officer))
    context = {"officer": officer, "agency": agency, "link": link, "role": membership.get_role_display()}
    send_mail(
        subject=f"Tài khoản MotCua của {officer.full_name}: đặt mật khẩu",
        message=render_to_string("backoffice/email/officer_welcome.txt", context),
        from_email=None,
        recipient_list=[officer.email],
    )
    return membership
