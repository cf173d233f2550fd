"""Who may do what: the permission rules that selectors and services share.

Rules answer questions about a user and an agency; they never load objects themselves.
"""

from datetime import date

from django.db.models import Q

from motcua.accounts.models import OfficerMembership, User


def active_memberships(user: User, *, on: date | None = None):
    day = on or date.today()
    return OfficerMembership.objects.filter(user=user, valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )


def officer_agency_ids(user: User, *, roles: set[str] | None = None, on: date | None = None) -> set[int]:
    """IDs of the agencies where the user currently holds one of `roles` (any role if None)."""
    if not user.is_authenticated or not user.is_officer:
        return set()
    memberships = active_memberships(user, on=on)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return set(memberships.values_list("agency_id", flat=True))


def officer_roles_in(user: User, agency_id: int, *, on: date | None = None) -> set[str]:
    if not user.is_authenticated or not user.is_officer:
        return set()
    return set(active_memberships(user, on=on).filter(agency_id=agency_id).values_list("role", flat=True))


def is_system_admin(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.kind == User.Kind.ADMIN)
