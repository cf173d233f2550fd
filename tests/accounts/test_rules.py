from datetime import date

import pytest

from motcua.accounts.models import OfficerMembership
from motcua.accounts.rules import is_system_admin, officer_agency_ids, officer_roles_in

pytestmark = pytest.mark.django_db


def test_officer_sees_only_their_agencies(receiver, outsider, agency, other_agency):
    assert officer_agency_ids(receiver) == {agency.pk}
    assert officer_agency_ids(outsider) == {other_agency.pk}
    assert officer_roles_in(receiver, agency.pk) == {"receiver"}
    assert officer_roles_in(receiver, other_agency.pk) == set()


def test_roles_filter_and_expired_membership(leader, agency):
    assert officer_agency_ids(leader, roles={"leader"}) == {agency.pk}
    assert officer_agency_ids(leader, roles={"receiver"}) == set()
    OfficerMembership.objects.filter(user=leader).update(valid_to=date(2020, 1, 1))
    assert officer_agency_ids(leader) == set()


def test_applicants_hold_no_officer_rights(citizen, agency):
    OfficerMembership.objects.create(user=citizen, agency=agency, role="leader")
    assert officer_agency_ids(citizen) == set()
    assert not is_system_admin(citizen)
