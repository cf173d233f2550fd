"""Plain builders for test data (kept explicit: each test reads what it gets)."""

from django.utils import timezone

from motcua.accounts.models import ApplicantProfile, OfficerMembership, User
from motcua.directory.models import Agency

PASSWORD = "motcua-test-2026"


def make_agency(*, code: str, name: str, level: str = "department", parent: Agency | None = None) -> Agency:
    agency, _ = Agency.objects.get_or_create(code=code, defaults={"name": name, "level": level, "parent": parent})
    return agency


def make_applicant(*, username: str, id_number: str, name: str, kind: str = "citizen") -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, kind=kind, full_name=name)
    ApplicantProfile.objects.create(
        user=user,
        kind=ApplicantProfile.Kind.PERSON if kind == "citizen" else ApplicantProfile.Kind.BUSINESS,
        id_number=id_number,
        name=name,
        verified_at=timezone.now(),
        verification_source=ApplicantProfile.VerificationSource.POPULATION_DB,
    )
    return user


def make_officer(*, username: str, agency: Agency, role: str) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, kind="officer", full_name=username.title())
    OfficerMembership.objects.create(user=user, agency=agency, role=role)
    return user
