"""Reads of dossiers, always through the acting user: what they may not see does not exist."""

from django.db.models import Q, QuerySet

from motcua.accounts.models import User
from motcua.accounts.rules import is_system_admin, officer_agency_ids, officer_roles_in
from motcua.core.errors import NotFound
from motcua.dossiers.lifecycle import Role
from motcua.dossiers.models import Dossier, DossierEvent


def _visible_filter(user: User) -> Q | None:
    """None means everything (administrators); an empty Q() is never returned."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if is_system_admin(user):
        return None
    visible = Q(applicant=user)
    agency_ids = officer_agency_ids(user)
    if agency_ids:
        visible |= (
            Q(current_agency_id__in=agency_ids)
            | Q(receiving_agency_id__in=agency_ids)
            | Q(home_agency_id__in=agency_ids)
        )
    return visible


def dossier_list_for_user(user: User) -> QuerySet[Dossier]:
    queryset = Dossier.objects.select_related("procedure", "procedure_version", "current_agency")
    visible = _visible_filter(user)
    return queryset if visible is None else queryset.filter(visible)


def dossier_get_for_user(user: User, code: str, *, for_update: bool = False) -> Dossier:
    queryset = Dossier.objects.all()
    visible = _visible_filter(user)
    if visible is not None:
        queryset = queryset.filter(visible)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    dossier = queryset.select_related("procedure_version", "current_agency", "home_agency").filter(code=code).first()
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ, hoặc bạn không có quyền xem hồ sơ này.")
    return dossier


def dossier_roles_of(user: User, dossier: Dossier) -> set[Role]:
    """The lifecycle roles `user` holds on this dossier right now."""
    roles: set[Role] = set()
    if dossier.applicant_id == user.pk:
        roles.add(Role.APPLICANT)
    for role in officer_roles_in(user, dossier.current_agency_id):
        if role in {Role.RECEIVER, Role.SPECIALIST, Role.LEADER}:
            roles.add(Role(role))
    return roles


def dossier_events_for_user(user: User, dossier: Dossier) -> QuerySet[DossierEvent]:
    """The full log for officers of its agencies; the applicant sees public events only."""
    events = DossierEvent.objects.filter(dossier=dossier).select_related("actor").order_by("seq")
    if not (
        officer_agency_ids(user) & {dossier.current_agency_id, dossier.receiving_agency_id, dossier.home_agency_id}
    ) and not is_system_admin(user):
        events = events.filter(public=True)
    return events


def dossier_public_by_code(code: str) -> Dossier:
    """For public tracking: anyone with the code sees the progress, nothing personal."""
    dossier = Dossier.objects.select_related("procedure_version").filter(code=code).first()
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ có mã này. Vui lòng kiểm tra lại mã trên giấy tiếp nhận.")
    return dossier
