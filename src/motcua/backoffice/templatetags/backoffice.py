"""Template helpers of the back office."""

from django import template

from motcua.accounts.models import OfficerMembership
from motcua.accounts.rules import is_system_admin, officer_agency_ids
from motcua.dossiers.register import REGISTER_ROLES

register = template.Library()


@register.simple_tag
def can_administer(user) -> bool:
    """Whether the administration link is worth showing: city admins and agency admins."""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_system_admin(user) or bool(officer_agency_ids(user, roles={OfficerMembership.Role.AGENCY_ADMIN}))


@register.simple_tag
def can_read_register(user) -> bool:
    """Whether to show the dossier register link: one-stop officers and leaders, city admins."""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_system_admin(user) or bool(officer_agency_ids(user, roles=set(REGISTER_ROLES)))
