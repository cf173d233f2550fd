"""Account pages through Django's test client: sign-up, profile, two-step login, password reset."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from simulators.population import SIGNUP_PEOPLE

from motcua.accounts import totp
from motcua.accounts.models import User
from motcua.accounts.two_factor import two_factor_begin, two_factor_confirm
from tests.accounts.fixtures import business_registry  # noqa: F401
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
PERSON = SIGNUP_PEOPLE[1]
NEW_PASSWORD = "mat-khau-moi-rat-dai-2026"


def citizen_form(**overrides) -> dict[str, str]:
    data = {
        "id_number": PERSON.id_number,
        "full_name": PERSON.full_name,
        "date_of_birth": PERSON.date_of_birth.strftime("%d/%m/%Y"),
        "email": "lan.anh@example.vn",
        "phone": "0912 345 678",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def test_citizen_signs_up_is_signed_in_and_sees_locked_identity(client, population_db):
    response = client.post(reverse("portal:accounts:signup_citizen"), citizen_form())
    assert response.status_code == 302 and response["Location"] == reverse("portal:accounts:profile")
    html = client.get(reverse("portal:accounts:profile")).content.decode()
    assert "Đã xác thực từ Cơ sở dữ liệu quốc gia về dân cư" in html
    assert PERSON.id_number not in html and PERSON.id_number[:4] + "******" + PERSON.id_number[-2:] in html
    assert PERSON.permanent_address in html and PERSON.date_of_birth.strftime("%d/%m/%Y") in html
    # Locked: no input for the name; a forged POST cannot change it either.
    assert 'name="name"' not in html and 'name="date_of_birth"' not in html
    response = client.post(
        reverse("portal:accounts:profile"),
        {"email": "moi@example.vn", "phone": "", "name": "Tên Giả", "date_of_birth": "2001-01-01"},
    )
    assert response.status_code == 302
    user = User.objects.get(username=PERSON.id_number)
    assert user.email == "moi@example.vn" and user.full_name == PERSON.full_name
    assert user.profile.name == PERSON.full_name and user.profile.date_of_birth == PERSON.date_of_birth


def test_no_match_keeps_what_was_typed_except_the_password(client, population_db):
    response = client.post(reverse("portal:accounts:signup_citizen"), citizen_form(full_name="Pham Ngoc Lan Anh"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Thông tin chưa khớp với Cơ sở dữ liệu quốc gia về dân cư" in html
    assert 'value="Pham Ngoc Lan Anh"' in html and 'value="lan.anh@example.vn"' in html
    assert NEW_PASSWORD not in html
    assert not User.objects.filter(username=PERSON.id_number).exists()


def test_database_down_creates_unverified_account_with_reverify_button(client, population_db):
    population_db.control(mode="down")
    response = client.post(reverse("portal:accounts:signup_citizen"), citizen_form(), follow=True)
    html = response.content.decode()
    assert "chưa được xác thực" in html and "Xác thực lại" in html
    population_db.control(mode="normal")
    response = client.post(reverse("portal:accounts:reverify"), follow=True)
    html = response.content.decode()
    assert "Đã xác thực thông tin" in html and "Xác thực lại</button>" not in html


def test_second_account_for_the_same_id_links_to_login_and_reset(client, population_db, citizen):
    response = client.post(
        reverse("portal:accounts:signup_citizen"),
        citizen_form(id_number=citizen.profile.id_number, full_name="Nguyễn Văn An", date_of_birth="1990-05-12"),
    )
    html = response.content.decode()
    assert response.status_code == 400 and "đã có tài khoản" in html
    assert reverse("portal:accounts:password_reset") in html and reverse("portal:accounts:login") in html
    assert "citizen" not in html.split("<main", 1)[1]  # the existing account's username is not shown


def test_bad_personal_id_and_password_are_explained(client, population_db):
    response = client.post(
        reverse("portal:accounts:signup_citizen"), citizen_form(id_number="0790", password1="123", password2="124")
    )
    html = response.content.decode()
    assert "Số định danh cá nhân gồm 12 chữ số, ví dụ 079090001234." in html
    assert "Hai lần nhập mật khẩu chưa giống nhau" in html


def test_business_sign_up_page(client, business_registry):  # noqa: F811
    from simulators.business_registry import SIGNUP_BUSINESSES

    enterprise = SIGNUP_BUSINESSES[1]
    response = client.post(
        reverse("portal:accounts:signup_business"),
        {
            "tax_code": enterprise.tax_code,
            "business_name": "Phú Mỹ",
            "representative_name": enterprise.legal_representative,
            "email": "pm@example.vn",
            "phone": "",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        follow=True,
    )
    html = response.content.decode()
    assert enterprise.name in html and enterprise.tax_code in html and enterprise.address in html


def test_signup_chooser_and_forms_render(client):
    html = client.get(reverse("portal:accounts:signup")).content.decode()
    for name in ("signup_citizen", "signup_business", "signup_organisation"):
        assert reverse(f"portal:accounts:{name}") in html
        assert client.get(reverse(f"portal:accounts:{name}")).status_code == 200


def test_profile_needs_login(client):
    response = client.get(reverse("portal:accounts:profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("portal:accounts:login"))


# --- two-step login ---------------------------------------------------------------------------


def enable_two_factor(user) -> str:
    device = two_factor_begin(user=user)
    two_factor_confirm(user=user, code=totp.code_at(device.secret, totp.current_step() - 1))
    return device.secret


def test_login_asks_for_the_code_after_the_password(client, citizen):
    secret = enable_two_factor(citizen)
    response = client.post(reverse("portal:accounts:login"), {"username": "citizen", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("portal:accounts:login_code")
    assert client.get(reverse("portal:accounts:profile")).status_code == 302  # not signed in yet
    response = client.post(reverse("portal:accounts:login_code"), {"code": "000000"})
    assert response.status_code == 400 and "Mã xác thực chưa đúng" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.failed_login_count == 1
    response = client.post(reverse("portal:accounts:login_code"), {"code": totp.code_at(secret, totp.current_step())})
    assert response.status_code == 302
    assert client.get(reverse("portal:accounts:profile")).status_code == 200
    citizen.refresh_from_db()
    assert citizen.failed_login_count == 0


def test_code_page_without_a_password_first_goes_back_to_login(client, citizen):
    response = client.get(reverse("portal:accounts:login_code"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:accounts:login")


def test_too_many_wrong_codes_start_over(client, citizen):
    enable_two_factor(citizen)
    client.post(reverse("portal:accounts:login"), {"username": "citizen", "password": PASSWORD})
    for _ in range(4):
        assert client.post(reverse("portal:accounts:login_code"), {"code": "000000"}).status_code == 400
    response = client.post(reverse("portal:accounts:login_code"), {"code": "000000"})
    assert response["Location"] == reverse("portal:accounts:login")
    assert client.get(reverse("portal:accounts:login_code"))["Location"] == reverse("portal:accounts:login")


def test_two_factor_setup_pages(client, citizen):
    client.force_login(citizen)
    html = client.get(reverse("portal:accounts:two_factor_setup")).content.decode()
    assert "<svg" in html
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    response = client.post(reverse("portal:accounts:two_factor_setup"), {"code": "12"})
    assert response.status_code == 400
    response = client.post(
        reverse("portal:accounts:two_factor_setup"), {"code": totp.code_at(secret, totp.current_step())}
    )
    codes = re.findall(r"<li><code>([a-z0-9]{4}-[a-z0-9]{4})</code></li>", response.content.decode())
    assert len(codes) == 10
    assert "đang bật" in client.get(reverse("portal:accounts:profile")).content.decode()
    response = client.post(reverse("portal:accounts:two_factor_disable"), {"password": "sai"})
    assert response.status_code == 400 and "Mật khẩu chưa đúng" in response.content.decode()
    response = client.post(reverse("portal:accounts:two_factor_disable"), {"password": PASSWORD}, follow=True)
    assert "Đã tắt đăng nhập hai bước" in response.content.decode()


def test_lockout_after_ten_wrong_passwords_still_works_on_the_page(client, citizen):
    for _ in range(10):
        client.post(reverse("portal:accounts:login"), {"username": "citizen", "password": "sai-mat-khau"})
    response = client.post(reverse("portal:accounts:login"), {"username": "citizen", "password": PASSWORD})
    assert response.status_code == 400 and "tạm khoá" in response.content.decode()


# --- password reset ---------------------------------------------------------------------------


def test_password_reset_by_email_opens_a_locked_account(client, citizen):
    User.objects.filter(pk=citizen.pk).update(email="an@example.vn", locked_at=timezone.now(), failed_login_count=10)
    response = client.post(reverse("portal:accounts:password_reset"), {"email": "AN@example.vn"})
    assert response["Location"] == reverse("portal:accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "MotCua: đặt lại mật khẩu" and message.to == ["an@example.vn"]
    assert "Chào Nguyễn Văn An" in message.body and "không thay đổi" in message.body
    assert citizen.profile.id_number not in message.body
    link = re.search(r"http://testserver(/tai-khoan/dat-lai-mat-khau/\S+/)", message.body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "ngan", "new_password2": "ngan"})
    assert "Mật khẩu cần ít nhất 10 ký tự." in response.content.decode()
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("portal:accounts:password_reset_complete")
    citizen.refresh_from_db()
    assert citizen.locked_at is None and citizen.check_password(NEW_PASSWORD)


def test_password_reset_emails_are_limited_without_saying_so(client, citizen):
    User.objects.filter(pk=citizen.pk).update(email="an@example.vn")
    for _ in range(5):
        response = client.post(reverse("portal:accounts:password_reset"), {"email": "an@example.vn"})
        assert response["Location"] == reverse("portal:accounts:password_reset_done")
    assert len(mail.outbox) == 3


def test_password_reset_says_the_same_for_unknown_emails(client, citizen):
    response = client.post(reverse("portal:accounts:password_reset"), {"email": "khong-co@example.vn"})
    assert response["Location"] == reverse("portal:accounts:password_reset_done")
    assert mail.outbox == []


def test_password_change(client, citizen):
    client.force_login(citizen)
    response = client.post(
        reverse("portal:accounts:password_change"),
        {"old_password": "sai", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert "Mật khẩu hiện tại chưa đúng" in response.content.decode()
    response = client.post(
        reverse("portal:accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get(reverse("portal:accounts:profile")).status_code == 200  # still signed in


def test_signed_in_pages_are_never_stored_by_caches(client, citizen):
    assert "no-store" not in client.get("/").get("Cache-Control", "")
    client.force_login(citizen)
    control = client.get("/").get("Cache-Control", "")
    assert "private" in control and "no-store" in control


def test_after_login_officers_go_to_their_work_and_citizens_to_their_dossiers(client, citizen, receiver):
    from motcua.portal.views.auth import landing_url

    response = client.post(reverse("portal:accounts:login"), {"username": "receiver", "password": PASSWORD})
    assert response["Location"] == landing_url(receiver)
    client.logout()
    response = client.post(reverse("portal:accounts:login"), {"username": "citizen", "password": PASSWORD})
    assert response["Location"] == landing_url(citizen)
    response = client.post(
        reverse("portal:accounts:login"), {"username": "citizen", "password": PASSWORD, "next": "/tra-cuu/"}
    )
    assert response["Location"] == "/tra-cuu/"
    response = client.post(
        reverse("portal:accounts:login"), {"username": "citizen", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == landing_url(citizen)


def test_landing_urls_resolve_safely(citizen, receiver):
    from django.urls import NoReverseMatch

    from motcua.portal.views.auth import landing_url

    for user, name in ((receiver, "backoffice:home"), (citizen, "portal:my_dossiers")):
        try:
            expected = reverse(name)
        except NoReverseMatch:
            expected = reverse("portal:home")
        assert landing_url(user) == expected


def test_unverified_citizen_corrects_the_date_of_birth_then_verifies(client, population_db):
    population_db.control(mode="down")
    client.post(reverse("portal:accounts:signup_citizen"), citizen_form(date_of_birth="01/01/1990"))
    population_db.control(mode="normal")
    response = client.post(reverse("portal:accounts:reverify"), follow=True)
    assert "chưa khớp" in response.content.decode()
    html = client.get(reverse("portal:accounts:profile")).content.decode()
    assert 'name="date_of_birth"' in html and 'value="01/01/1990"' in html
    response = client.post(
        reverse("portal:accounts:profile"),
        {
            "email": "lan.anh@example.vn",
            "phone": "",
            "name": PERSON.full_name,
            "date_of_birth": PERSON.date_of_birth.strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 302
    response = client.post(reverse("portal:accounts:reverify"), follow=True)
    html = response.content.decode()
    assert "Đã xác thực thông tin" in html and 'name="date_of_birth"' not in html


def test_officer_account_page_and_signed_in_signup_redirect(client, receiver):
    client.force_login(receiver)
    html = client.get(reverse("portal:accounts:profile")).content.decode()
    assert "Thông tin liên hệ" in html and "Thông tin định danh" not in html
    assert reverse("portal:accounts:two_factor") in html and reverse("portal:accounts:password_change") in html
    assert reverse("portal:notification_preferences") in html
    response = client.get(reverse("portal:accounts:signup_citizen"))
    assert response["Location"] == reverse("portal:accounts:profile")


def test_system_administrators_land_in_the_back_office(db):
    from motcua.accounts.models import User
    from motcua.portal.views.auth import landing_url

    admin = User.objects.create_user(username="city.admin", password="x", kind=User.Kind.ADMIN)
    assert landing_url(admin) == reverse("backoffice:home")
