"""Demo accounts of contract.md, created only by `seed_demo` (never in production data)."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import ApplicantProfile, OfficerMembership, User
from motcua.directory.models import Agency

DEMO_PASSWORD = "motcua-demo-2026"  # noqa: S105 - published demo password (contract.md)

# username → account fields and the applicant profile
_APPLICANTS: dict[str, dict[str, Any]] = {
    "demo.citizen": dict(
        kind=User.Kind.CITIZEN,
        full_name="Nguyễn Văn An",
        email="demo.citizen@example.vn",
        phone="0901234567",
        profile=dict(
            kind=ApplicantProfile.Kind.PERSON,
            id_number="079090001234",
            name="Nguyễn Văn An",
            date_of_birth=date(1990, 5, 12),
            gender="Nam",
            address="12 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh",
        ),
    ),
    "demo.citizen2": dict(
        kind=User.Kind.CITIZEN,
        full_name="Trần Thị Bích Ngọc",
        email="demo.citizen2@example.vn",
        phone="0912345678",
        profile=dict(
            kind=ApplicantProfile.Kind.PERSON,
            id_number="079185005678",
            name="Trần Thị Bích Ngọc",
            date_of_birth=date(1985, 9, 3),
            gender="Nữ",
            address="45 Võ Văn Ngân, Phường Thủ Đức, Thành phố Hồ Chí Minh",
        ),
    ),
    "demo.business": dict(
        kind=User.Kind.BUSINESS,
        full_name="Công ty TNHH Thương mại Dịch vụ Ánh Dương",
        email="demo.business@example.vn",
        phone="02838123456",
        profile=dict(
            kind=ApplicantProfile.Kind.BUSINESS,
            id_number="0312345678",
            name="Công ty TNHH Thương mại Dịch vụ Ánh Dương",
            address="88 Nguyễn Huệ, Phường Sài Gòn, Thành phố Hồ Chí Minh",
            representative_name="Lê Minh Quân",
        ),
    ),
}

# username → (full name, title, [(agency code, role)])
_OFFICER_SPECS = {
    "demo.receiver": ("Phạm Thu Hà", "Cán bộ tiếp nhận và trả kết quả", "home_affairs", ["receiver"]),
    "demo.specialist": ("Võ Quốc Huy", "Chuyên viên Phòng Việc làm", "home_affairs", ["specialist"]),
    "demo.leader": ("Đặng Thị Mai", "Phó Giám đốc Sở", "home_affairs", ["leader"]),
    "demo.ward.receiver": ("Huỳnh Văn Lộc", "Công chức một cửa", "ben_thanh", ["receiver"]),
}


@transaction.atomic
def seed_demo_accounts(*, agency_codes: dict[str, str]) -> None:
    """Create or refresh the demo accounts. `agency_codes` maps 'home_affairs'/'ben_thanh' to codes."""
    now = timezone.now()
    for username, spec in _APPLICANTS.items():
        profile = spec["profile"]
        user = _upsert_user(
            username, kind=spec["kind"], full_name=spec["full_name"], email=spec["email"], phone=spec["phone"]
        )
        ApplicantProfile.objects.update_or_create(
            user=user,
            defaults={
                **profile,
                "verified_at": now,
                "verification_source": (
                    ApplicantProfile.VerificationSource.POPULATION_DB
                    if profile["kind"] == ApplicantProfile.Kind.PERSON
                    else ApplicantProfile.VerificationSource.BUSINESS_REGISTRY
                ),
            },
        )
    for username, (full_name, title, agency_key, roles) in _OFFICER_SPECS.items():
        user = _upsert_user(
            username, kind=User.Kind.OFFICER, full_name=full_name, email=f"{username}@motcua.example.vn"
        )
        agency = Agency.objects.get(code=agency_codes[agency_key])
        for role in roles:
            OfficerMembership.objects.update_or_create(
                user=user, agency=agency, role=role, defaults={"title": title, "valid_from": date(2025, 3, 1)}
            )
    admin = _upsert_user(
        "demo.admin", kind=User.Kind.ADMIN, full_name="Quản trị hệ thống", email="demo.admin@motcua.example.vn"
    )
    if not (admin.is_staff and admin.is_superuser):
        User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)


def _upsert_user(username: str, *, kind: str, full_name: str, email: str = "", phone: str = "") -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        return User.objects.create_user(
            username=username, password=DEMO_PASSWORD, kind=kind, full_name=full_name, email=email, phone=phone
        )
    # Idempotent: refresh what the demo promises (kind, name, unlocked) only if it drifted. The
    # password is set at creation only: checking it again costs an Argon2 hash per account.
    changed = False
    for field, value in {"kind": kind, "full_name": full_name, "email": email, "phone": phone}.items():
        if getattr(user, field) != value:
            setattr(user, field, value)
            changed = True
    if user.locked_at is not None or user.failed_login_count:
        user.locked_at, user.failed_login_count, changed = None, 0, True
    if changed:
        user.save()
    return user
