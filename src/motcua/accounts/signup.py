"""Opening an account: citizens verified against the population database, businesses against the
business registry, organisations unverified until checked at a counter.

Verified identity data (name, date of birth, gender, address; a business's name, address and
representative) comes from the national database and is locked: `profile_update` refuses to
change it. When the database is down the account is still opened, unverified, and
`applicant_reverify` tries again later.
"""

import logging
import re
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from motcua.accounts.models import ApplicantProfile, User
from motcua.accounts.passwords import password_problems
from motcua.accounts.throttle import identity_check_guard, identity_miss_record
from motcua.core.codes import validate_personal_id, validate_tax_code
from motcua.core.errors import BadInput, Conflict, DomainError, PermissionDenied
from motcua.core.text import fold, normalize
from motcua.integrations.business_registry import BusinessRecord, lookup_business
from motcua.integrations.errors import IntegrationUnavailable
from motcua.integrations.population import PersonRecord, verify_person

logger = logging.getLogger(__name__)

ORGANISATION_CODE = re.compile(r"^[0-9A-Z][0-9A-Z.\-]{2,19}$")
# Mobile: 10 digits; landline: 11 (028 3812 3456); or +84 without the leading 0.
PHONE = re.compile(r"^(0\d{9,10}|\+84\d{9,10})$")


class AccountExists(Conflict):
    code = "account_exists"
    default_detail = (
        "Số định danh hoặc mã số này đã có tài khoản. Nếu đó là tài khoản của bạn, hãy đăng nhập; "
        "nếu quên mật khẩu, hãy lấy lại mật khẩu qua e-mail đã đăng ký."
    )


class IdentityNotMatched(DomainError):
    code, status = "identity_not_matched", 422
    default_detail = (
        "Thông tin chưa khớp với Cơ sở dữ liệu quốc gia về dân cư. Vui lòng kiểm tra lại: số định danh cá nhân "
        "(12 chữ số trên thẻ căn cước), họ và tên đầy đủ, có dấu, đúng như trên thẻ, và ngày sinh."
    )


class BusinessNotMatched(IdentityNotMatched):
    code = "business_not_matched"
    default_detail = (
        "Thông tin chưa khớp với Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp. Vui lòng kiểm tra lại mã số thuế "
        "và họ tên người đại diện theo pháp luật, đúng như trên giấy chứng nhận đăng ký doanh nghiệp."
    )


@dataclass(frozen=True)
class SignUpResult:
    user: User
    verified: bool


def normalize_phone(value: str) -> str:
    phone = re.sub(r"[\s.\-()]", "", normalize(value))
    if phone and not PHONE.match(phone):
        raise BadInput(
            "Số điện thoại gồm 10 chữ số (di động) hoặc 11 chữ số (cố định), bắt đầu bằng 0 hoặc +84, "
            "ví dụ 0901234567.",
            fields={"phone": "invalid"},
        )
    return phone


def _check_password(password: str, *, username: str, full_name: str, email: str) -> None:
    problems = password_problems(password, user=User(username=username, full_name=full_name, email=email))
    if problems:
        raise BadInput(" ".join(problems), fields={"password": "invalid"})


def _ensure_no_account(id_number: str) -> None:
    if (
        ApplicantProfile.objects.filter(id_number=id_number).exists()
        or User.objects.filter(Q(username=id_number)).exists()
    ):
        raise AccountExists()


def _create(*, username: str, kind: str, full_name: str, email: str, phone: str, password: str, profile: dict) -> User:
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username, password=password, kind=kind, full_name=full_name, email=email, phone=phone
            )
            ApplicantProfile.objects.create(user=user, id_number=username, **profile)
    except IntegrityError as error:
        # Two sign-ups with the same ID at once: the unique constraints decide, the loser is told.
        raise AccountExists() from error
    return user


def _person_fields(record: PersonRecord) -> dict:
    return {
        "name": record.full_name,
        "date_of_birth": record.date_of_birth,
        "gender": record.gender,
        "address": record.permanent_address,
        "verified_at": timezone.now(),
        "verification_source": ApplicantProfile.VerificationSource.POPULATION_DB,
    }


def _business_fields(record: BusinessRecord) -> dict:
    return {
        "name": record.name,
        "address": record.address,
        "representative_name": record.legal_representative,
        "verified_at": timezone.now(),
        "verification_source": ApplicantProfile.VerificationSource.BUSINESS_REGISTRY,
    }


def citizen_sign_up(
    *, id_number: str, full_name: str, date_of_birth: date, email: str, phone: str, password: str, client: str = ""
) -> SignUpResult:
    """A citizen's account, verified at once against the population database when it answers.

    Raises BadInput (bad ID, phone or password), AccountExists, IdentityNotMatched (the
    database answered: no such person with this name and date of birth), or RateLimited after
    too many mismatches (`client`: the caller's address).
    """
    id_number = validate_personal_id(id_number)
    full_name, email, phone = normalize(full_name), normalize(email).lower(), normalize_phone(phone)
    _check_password(password, username=id_number, full_name=full_name, email=email)
    _ensure_no_account(id_number)
    identity_check_guard(id_number=id_number, client=client)
    try:
        record = verify_person(id_number=id_number, full_name=full_name, date_of_birth=date_of_birth)
    except IntegrationUnavailable:
        logger.warning("population database unavailable at sign-up; account opened unverified")
        record, verified = None, False
    else:
        if record is None:
            identity_miss_record(id_number=id_number, client=client)
            raise IdentityNotMatched()
        verified = True
    profile = (
        _person_fields(record)
        if record is not None
        else {"name": full_name, "date_of_birth": date_of_birth, "verification_source": ""}
    )
    user = _create(
        username=id_number,
        kind=User.Kind.CITIZEN,
        full_name=profile["name"],
        email=email,
        phone=phone,
        password=password,
        profile={"kind": ApplicantProfile.Kind.PERSON, **profile},
    )
    return SignUpResult(user=user, verified=verified)


def _matching_business(record: BusinessRecord | None, representative_name: str) -> BusinessRecord:
    if record is None or fold(record.legal_representative) != fold(representative_name):
        raise BusinessNotMatched()
    if not record.is_active:
        raise PermissionDenied(
            f"Doanh nghiệp đang ở trạng thái “{record.status_display}” trong Cơ sở dữ liệu quốc gia về đăng ký "
            "doanh nghiệp nên chưa mở được tài khoản. Vui lòng liên hệ bộ phận một cửa.",
            error="business_inactive",
        )
    return record


def business_sign_up(
    *,
    tax_code: str,
    business_name: str,
    representative_name: str,
    email: str,
    phone: str,
    password: str,
    client: str = "",
) -> SignUpResult:
    """A business's account, verified against the business registry (tax code + legal representative)."""
    tax_code = validate_tax_code(tax_code)
    business_name, representative_name = normalize(business_name), normalize(representative_name)
    email, phone = normalize(email).lower(), normalize_phone(phone)
    _check_password(password, username=tax_code, full_name=business_name, email=email)
    _ensure_no_account(tax_code)
    identity_check_guard(id_number=tax_code, client=client)
    try:
        found = lookup_business(tax_code=tax_code)
    except IntegrationUnavailable:
        logger.warning("business registry unavailable at sign-up; account opened unverified")
        record = None
    else:
        try:
            record = _matching_business(found, representative_name)
        except BusinessNotMatched:
            identity_miss_record(id_number=tax_code, client=client)
            raise
    profile = (
        _business_fields(record)
        if record is not None
        else {"name": business_name, "representative_name": representative_name, "verification_source": ""}
    )
    user = _create(
        username=tax_code,
        kind=User.Kind.BUSINESS,
        full_name=profile["name"],
        email=email,
        phone=phone,
        password=password,
        profile={"kind": ApplicantProfile.Kind.BUSINESS, **profile},
    )
    return SignUpResult(user=user, verified=record is not None)


def organisation_sign_up(*, code: str, name: str, email: str, phone: str, password: str) -> SignUpResult:
    """An organisation's account: unverified until its papers are checked at a one-stop counter."""
    code = normalize(code).upper().replace(" ", "")
    if not ORGANISATION_CODE.match(code):
        raise BadInput(
            "Mã tổ chức gồm 3 đến 20 chữ số hoặc chữ cái (có thể có dấu chấm, gạch ngang), ví dụ mã số thuế "
            "0301234567 hoặc mã đơn vị quan hệ ngân sách 1234567.",
            fields={"code": "invalid"},
        )
    name, email, phone = normalize(name), normalize(email).lower(), normalize_phone(phone)
    _check_password(password, username=code, full_name=name, email=email)
    _ensure_no_account(code)
    user = _create(
        username=code,
        kind=User.Kind.ORGANISATION,
        full_name=name,
        email=email,
        phone=phone,
        password=password,
        profile={"kind": ApplicantProfile.Kind.BUSINESS, "name": name, "verification_source": ""},
    )
    return SignUpResult(user=user, verified=False)


def applicant_reverify(*, user: User, client: str = "") -> bool:
    """Try the national database again for an unverified account; True once verified.

    Raises IntegrationUnavailable (still down), IdentityNotMatched (the data on the profile
    does not match: the person corrects it on the profile page first) or RateLimited.
    """
    profile = ApplicantProfile.objects.filter(user=user).first()
    if profile is None or user.kind == User.Kind.ORGANISATION:
        raise PermissionDenied("Tài khoản tổ chức được xác thực khi đối chiếu giấy tờ tại bộ phận một cửa.")
    if profile.is_verified:
        return True
    identity_check_guard(id_number=profile.id_number, client=client)
    try:
        if profile.kind == ApplicantProfile.Kind.PERSON:
            if profile.date_of_birth is None:
                raise IdentityNotMatched()
            record = verify_person(
                id_number=profile.id_number, full_name=profile.name, date_of_birth=profile.date_of_birth
            )
            if record is None:
                raise IdentityNotMatched()
            fields = _person_fields(record)
        else:
            fields = _business_fields(
                _matching_business(lookup_business(tax_code=profile.id_number), profile.representative_name)
            )
    except IdentityNotMatched:  # BusinessNotMatched too
        identity_miss_record(id_number=profile.id_number, client=client)
        raise
    with transaction.atomic():
        ApplicantProfile.objects.filter(pk=profile.pk).update(**fields)
        User.objects.filter(pk=user.pk).update(full_name=fields["name"])
    return True


def profile_update(
    *,
    user: User,
    email: str,
    phone: str,
    name: str | None = None,
    date_of_birth: date | None = None,
    representative_name: str | None = None,
) -> None:
    """Change contact details; identity fields only while the profile is not verified yet."""
    email, phone = normalize(email).lower(), normalize_phone(phone)
    if not email:
        raise BadInput("Vui lòng nhập e-mail: mật khẩu được lấy lại qua e-mail này.", fields={"email": "required"})
    profile = ApplicantProfile.objects.filter(user=user).first()
    identity = {
        key: value
        for key, value in {
            "name": normalize(name) if name is not None else None,
            "date_of_birth": date_of_birth,
            "representative_name": normalize(representative_name) if representative_name is not None else None,
        }.items()
        if value is not None
    }
    if identity and (profile is None or profile.is_verified):
        raise PermissionDenied(
            "Thông tin đã xác thực từ cơ sở dữ liệu quốc gia không sửa được tại đây. "
            "Nếu thông tin chưa đúng, vui lòng liên hệ cơ quan quản lý cơ sở dữ liệu đó."
        )
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(
            email=email, phone=phone, **({"full_name": identity["name"]} if "name" in identity else {})
        )
        if identity and profile is not None:
            ApplicantProfile.objects.filter(pk=profile.pk, verified_at__isnull=True).update(**identity)
