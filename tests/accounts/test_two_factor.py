"""Two-step login: RFC 6238 codes, replay protection, hashed one-time recovery codes."""

import base64
import time

import pytest

from motcua.accounts import totp
from motcua.accounts.models import RecoveryCode
from motcua.accounts.two_factor import (
    RECOVERY_CODE_COUNT,
    recovery_codes_left,
    recovery_codes_regenerate,
    two_factor_begin,
    two_factor_check,
    two_factor_confirm,
    two_factor_disable,
    two_factor_enabled,
    two_factor_provisioning_uri,
)
from motcua.core.errors import BadInput, Conflict, PermissionDenied
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_codes_follow_rfc_6238_test_vectors():
    # RFC 6238 appendix B (SHA-1 secret "12345678901234567890"); we use the last 6 of its 8 digits.
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp.code_at(secret, 59 // 30) == "287082"
    assert totp.code_at(secret, 1111111109 // 30) == "081804"
    assert totp.code_at(secret, 2000000000 // 30) == "279037"
    assert totp.matching_step(secret, "287 082", at=59) == 1
    assert totp.matching_step(secret, "287082", at=59 + 30) == 1  # one step late is accepted
    assert totp.matching_step(secret, "287082", at=59 + 90) is None
    assert totp.matching_step(secret, "abcdef", at=59) is None


def enable(user) -> tuple[str, list[str]]:
    device = two_factor_begin(user=user)
    uri = two_factor_provisioning_uri(device)
    assert uri.startswith("otpauth://totp/MotCua%3A") and f"secret={device.secret}" in uri
    # The code of the previous step: the next check uses the current one, which is newer.
    codes = two_factor_confirm(user=user, code=totp.code_at(device.secret, totp.current_step() - 1))
    return device.secret, codes


def test_setup_needs_a_right_code_and_gives_hashed_recovery_codes(citizen):
    device = two_factor_begin(user=citizen)
    with pytest.raises(BadInput) as error:
        two_factor_confirm(
            user=citizen, code="000000" if totp.code_at(device.secret, totp.current_step()) != "000000" else "111111"
        )
    assert "6 chữ số" in error.value.detail
    assert not two_factor_enabled(citizen)
    _secret, codes = enable(citizen)
    assert two_factor_enabled(citizen) and len(codes) == RECOVERY_CODE_COUNT == len(set(codes))
    stored = set(RecoveryCode.objects.filter(user=citizen).values_list("code_hash", flat=True))
    assert not stored & set(codes) and all(len(h) == 64 for h in stored)
    with pytest.raises(Conflict):
        two_factor_begin(user=citizen)


def test_a_code_is_accepted_once(citizen):
    secret, _ = enable(citizen)
    code = totp.code_at(secret, totp.current_step())
    assert two_factor_check(user=citizen, code=code)
    assert not two_factor_check(user=citizen, code=code)
    assert not two_factor_check(user=citizen, code="12")


def test_recovery_codes_work_once_and_can_be_replaced(citizen):
    _, codes = enable(citizen)
    assert two_factor_check(user=citizen, code=codes[0].upper())
    assert not two_factor_check(user=citizen, code=codes[0])
    assert recovery_codes_left(citizen) == RECOVERY_CODE_COUNT - 1
    fresh = recovery_codes_regenerate(user=citizen)
    assert not two_factor_check(user=citizen, code=codes[1])
    assert two_factor_check(user=citizen, code=fresh[1].replace("-", ""))


def test_disabling_needs_the_password(citizen):
    enable(citizen)
    with pytest.raises(PermissionDenied):
        two_factor_disable(user=citizen, password="wrong")
    assert two_factor_enabled(citizen)
    two_factor_disable(user=citizen, password=PASSWORD)
    assert not two_factor_enabled(citizen) and not RecoveryCode.objects.filter(user=citizen).exists()
    assert not two_factor_check(user=citizen, code=totp.code_at(totp.new_secret(), int(time.time()) // 30))


def test_password_alone_is_not_enough_once_two_step_login_is_on(citizen):
    from motcua.accounts.services import user_sign_in
    from motcua.core.errors import NotAuthenticated

    secret, codes = enable(citizen)
    with pytest.raises(NotAuthenticated) as error:
        user_sign_in(request=None, username="citizen", password=PASSWORD)
    assert "hai bước" in error.value.detail and error.value.as_json()["error"] == "two_factor_required"
    with pytest.raises(NotAuthenticated):
        user_sign_in(request=None, username="citizen", password=PASSWORD, one_time_code="000000")
    citizen.refresh_from_db()
    assert citizen.failed_login_count == 1
    code = totp.code_at(secret, totp.current_step())
    assert user_sign_in(request=None, username="citizen", password=PASSWORD, one_time_code=code) == citizen
    assert user_sign_in(request=None, username="citizen", password=PASSWORD, one_time_code=codes[0]) == citizen
    # The login page asks for the code on its own next page.
    assert user_sign_in(request=None, username="citizen", password=PASSWORD, second_step_later=True) == citizen


def test_api_token_needs_the_one_time_code_once_two_step_login_is_on(client, citizen):
    secret, codes = enable(citizen)
    url = "/api/v1/auth/token"
    refused = client.post(url, {"username": "citizen", "password": PASSWORD}, content_type="application/json")
    assert refused.status_code == 401 and refused.json()["error"] == "two_factor_required"
    code = totp.code_at(secret, totp.current_step())
    body = {"username": "citizen", "password": PASSWORD, "one_time_code": code}
    issued = client.post(url, body, content_type="application/json")
    assert issued.status_code == 200 and issued.json()["token_type"] == "bearer"
    body["one_time_code"] = codes[1]
    assert client.post(url, body, content_type="application/json").status_code == 200
