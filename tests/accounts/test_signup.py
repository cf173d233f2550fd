"""Opening accounts against the real stand-ins over HTTP: population database, business registry."""

from datetime import date

import pytest
from simulators.business_registry import CLOSED_BUSINESSES, DEMO_BUSINESS, SIGNUP_BUSINESSES
from simulators.population import SIGNUP_PEOPLE

from motcua.accounts.models import ApplicantProfile, User
from motcua.accounts.signup import (
    AccountExists,
    BusinessNotMatched,
    IdentityNotMatched,
    applicant_reverify,
    business_sign_up,
    citizen_sign_up,
    organisation_sign_up,
    profile_update,
)
from motcua.core.errors import BadInput, PermissionDenied
from motcua.integrations.errors import IntegrationUnavailable

pytestmark = pytest.mark.django_db
PASSWORD = "mat-khau-that-dai-2026"
PERSON = SIGNUP_PEOPLE[0]


def sign_up(person=PERSON, **overrides):
    data = dict(
        id_number=person.id_number,
        full_name=person.full_name,
        date_of_birth=person.date_of_birth,
        email="nguoi.moi@example.vn",
        phone="0901 234 567",
        password=PASSWORD,
    )
    data.update(overrides)
    return citizen_sign_up(**data)


def test_citizen_is_verified_and_identity_comes_from_the_population_database(population_db):
    # Typed in lower case with decomposed (NFD) marks: the database's NFC spelling is kept.
    import unicodedata

    result = sign_up(full_name=unicodedata.normalize("NFD", PERSON.full_name.lower()))
    assert result.verified
    user = User.objects.get(pk=result.user.pk)
    profile = user.profile
    assert user.username == PERSON.id_number and user.kind == User.Kind.CITIZEN
    assert user.check_password(PASSWORD)
    assert user.full_name == profile.name == PERSON.full_name
    assert profile.date_of_birth == PERSON.date_of_birth
    assert profile.gender == PERSON.gender
    assert profile.address == PERSON.permanent_address
    assert profile.verified_at is not None
    assert profile.verification_source == ApplicantProfile.VerificationSource.POPULATION_DB
    assert user.phone == "0901234567" and user.email == "nguoi.moi@example.vn"


def test_no_match_says_what_to_check_and_creates_nothing(population_db):
    with pytest.raises(IdentityNotMatched) as error:
        sign_up(date_of_birth=date(1990, 1, 1))
    assert "ngày sinh" in error.value.detail and "họ và tên" in error.value.detail
    with pytest.raises(IdentityNotMatched):
        sign_up(full_name="Le Hoang Minh")  # without diacritics is another name
    assert not User.objects.filter(username=PERSON.id_number).exists()


@pytest.mark.parametrize("mode", ["down", "garbage"])
def test_database_down_opens_an_unverified_account_that_verifies_later(population_db, mode):
    population_db.control(mode=mode)
    result = sign_up()
    assert not result.verified
    profile = ApplicantProfile.objects.get(user=result.user)
    assert profile.verified_at is None and profile.verification_source == ""
    assert profile.name == PERSON.full_name and profile.gender == ""
    with pytest.raises(IntegrationUnavailable):
        applicant_reverify(user=result.user)
    population_db.control(mode="normal")
    assert applicant_reverify(user=result.user)
    profile.refresh_from_db()
    assert profile.is_verified and profile.address == PERSON.permanent_address and profile.gender == PERSON.gender


def test_reverify_with_wrong_data_asks_to_correct_it_first(population_db):
    population_db.control(mode="down")
    user = sign_up(date_of_birth=date(1990, 1, 1)).user
    population_db.control(mode="normal")
    with pytest.raises(IdentityNotMatched):
        applicant_reverify(user=user)
    # Unverified: the person may still correct name and date of birth.
    profile_update(user=user, email="a@example.vn", phone="", date_of_birth=PERSON.date_of_birth)
    assert applicant_reverify(user=user)


def test_one_account_per_personal_id_without_saying_whose(population_db, citizen):
    calls_before = population_db.state()["calls"]
    with pytest.raises(AccountExists) as error:
        sign_up(id_number=citizen.profile.id_number, full_name="Nguyễn Văn An", date_of_birth=date(1990, 5, 12))
    assert "đã có tài khoản" in error.value.detail and "Nguyễn" not in error.value.detail
    assert population_db.state()["calls"] == calls_before  # refused before asking the database
    sign_up()
    with pytest.raises(AccountExists):
        sign_up(email="khac@example.vn")


def test_personal_id_phone_and_password_are_checked_with_vietnamese_messages(population_db):
    with pytest.raises(BadInput) as error:
        sign_up(id_number="12345")
    assert "12 chữ số" in error.value.detail and error.value.fields == {"id_number": "invalid"}
    with pytest.raises(BadInput) as error:
        sign_up(phone="12345")
    assert "10 chữ số" in error.value.detail
    with pytest.raises(BadInput) as error:
        sign_up(password="12345678")
    assert "ít nhất 10 ký tự" in error.value.detail and "chữ số" in error.value.detail
    assert error.value.fields == {"password": "invalid"}
    with pytest.raises(BadInput) as error:
        sign_up(password=PERSON.id_number + "x")
    assert "quá giống" in error.value.detail


def test_verified_identity_is_locked_contact_details_are_not(population_db):
    user = sign_up().user
    with pytest.raises(PermissionDenied):
        profile_update(user=user, email="moi@example.vn", phone="", name="Tên Khác")
    with pytest.raises(PermissionDenied):
        profile_update(user=user, email="moi@example.vn", phone="", date_of_birth=date(2000, 1, 1))
    profile_update(user=user, email="Moi@Example.vn", phone="+84901234567")
    user.refresh_from_db()
    assert (user.email, user.phone, user.full_name) == ("moi@example.vn", "+84901234567", PERSON.full_name)
    assert user.profile.date_of_birth == PERSON.date_of_birth


# --- businesses and organisations --------------------------------------------------------------


def business(enterprise=SIGNUP_BUSINESSES[0], **overrides):
    data = dict(
        tax_code=enterprise.tax_code,
        business_name="tên gõ tay",
        representative_name=enterprise.legal_representative,
        email="ketoan@example.vn",
        phone="0283 812 3456",
        password=PASSWORD,
    )
    data.update(overrides)
    return business_sign_up(**data)


def test_business_is_verified_by_tax_code_and_representative(business_registry):
    enterprise = SIGNUP_BUSINESSES[0]
    result = business(representative_name=enterprise.legal_representative.upper())
    assert result.verified
    profile = result.user.profile
    assert result.user.username == enterprise.tax_code and result.user.kind == User.Kind.BUSINESS
    assert profile.kind == ApplicantProfile.Kind.BUSINESS
    assert (profile.name, profile.address, profile.representative_name) == (
        enterprise.name,
        enterprise.address,
        enterprise.legal_representative,
    )
    assert profile.verification_source == ApplicantProfile.VerificationSource.BUSINESS_REGISTRY
    with pytest.raises(PermissionDenied):
        profile_update(user=result.user, email="a@example.vn", phone="", representative_name="Người Khác")


def test_branch_tax_code_without_dash_is_accepted(business_registry):
    branch = SIGNUP_BUSINESSES[2]
    result = business(branch, tax_code=branch.tax_code.replace("-", ""))
    assert result.verified and result.user.username == branch.tax_code


def test_business_mismatches_and_closed_businesses_are_refused(business_registry):
    with pytest.raises(BusinessNotMatched):
        business(representative_name="Người Lạ")
    with pytest.raises(BusinessNotMatched):
        business(tax_code="0399999990")
    with pytest.raises(PermissionDenied) as error:
        business(CLOSED_BUSINESSES[0])
    assert "Đã giải thể" in error.value.detail
    with pytest.raises(BadInput) as error:
        business(tax_code="03123")
    assert "10 chữ số" in error.value.detail
    assert not User.objects.filter(kind=User.Kind.BUSINESS).exists()


def test_demo_business_tax_code_already_has_an_account(business_registry, business):
    with pytest.raises(AccountExists):
        globals()["business"](DEMO_BUSINESS)


def test_registry_down_opens_an_unverified_business_that_verifies_later(business_registry):
    business_registry.control(mode="down")
    result = business()
    assert not result.verified
    assert result.user.profile.name == "tên gõ tay" and not result.user.profile.is_verified
    business_registry.control(mode="normal")
    assert applicant_reverify(user=result.user)
    result.user.profile.refresh_from_db()
    assert result.user.profile.name == SIGNUP_BUSINESSES[0].name


def test_organisation_is_unverified_until_the_counter():
    result = organisation_sign_up(
        code="hoi-0001", name="Hội Khuyến học Phường Bến Thành", email="hoi@example.vn", phone="", password=PASSWORD
    )
    assert not result.verified
    assert result.user.username == "HOI-0001" and result.user.kind == User.Kind.ORGANISATION
    with pytest.raises(PermissionDenied):
        applicant_reverify(user=result.user)
    with pytest.raises(BadInput):
        organisation_sign_up(code="x", name="A", email="a@example.vn", phone="", password=PASSWORD)


def test_guessing_a_strangers_date_of_birth_is_stopped(population_db):
    from motcua.core.errors import RateLimited

    for day in range(1, 6):
        with pytest.raises(IdentityNotMatched):
            sign_up(date_of_birth=date(1995, 1, day))
    calls = population_db.state()["calls"]
    with pytest.raises(RateLimited) as error:
        sign_up()  # even the right answer: the database is not asked again for an hour
    assert "quá nhiều lần" in error.value.detail
    assert population_db.state()["calls"] == calls
    # A client trying many IDs is stopped too, while others go on.
    for index in range(10):
        with pytest.raises(IdentityNotMatched):
            sign_up(id_number=f"079099{index:06d}", client="203.0.113.9")
    with pytest.raises(RateLimited):
        sign_up(SIGNUP_PEOPLE[1], client="203.0.113.9")
    assert sign_up(SIGNUP_PEOPLE[1], client="198.51.100.7").verified
