import pytest
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.services import (
    api_token_authenticate,
    api_token_issue,
    api_token_revoke,
    user_sign_in,
    user_unlock,
)
from motcua.core.errors import NotAuthenticated, PermissionDenied
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_right_password_signs_in_and_resets_failures(citizen):
    User.objects.filter(pk=citizen.pk).update(failed_login_count=3)
    assert user_sign_in(request=None, username="citizen", password=PASSWORD) == citizen
    citizen.refresh_from_db()
    assert citizen.failed_login_count == 0


def test_wrong_password_is_refused_in_plain_vietnamese(citizen):
    with pytest.raises(NotAuthenticated) as error:
        user_sign_in(request=None, username="citizen", password="wrong")
    assert "mật khẩu chưa đúng" in error.value.detail


def test_account_locks_after_ten_wrong_passwords_in_a_row(citizen):
    for _ in range(9):
        with pytest.raises(NotAuthenticated):
            user_sign_in(request=None, username="citizen", password="wrong")
    citizen.refresh_from_db()
    assert citizen.locked_at is None
    with pytest.raises(NotAuthenticated):
        user_sign_in(request=None, username="citizen", password="wrong")
    citizen.refresh_from_db()
    assert citizen.locked_at is not None
    # Locked: even the right password is refused, with a message saying what to do.
    with pytest.raises(PermissionDenied) as error:
        user_sign_in(request=None, username="citizen", password=PASSWORD)
    assert "tạm khoá" in error.value.detail
    user_unlock(user=citizen)
    assert user_sign_in(request=None, username="citizen", password=PASSWORD) == citizen


def test_a_success_between_failures_restarts_the_count(citizen):
    for _ in range(9):
        with pytest.raises(NotAuthenticated):
            user_sign_in(request=None, username="citizen", password="wrong")
    user_sign_in(request=None, username="citizen", password=PASSWORD)
    for _ in range(9):
        with pytest.raises(NotAuthenticated):
            user_sign_in(request=None, username="citizen", password="wrong")
    citizen.refresh_from_db()
    assert citizen.locked_at is None


def test_tokens_are_stored_hashed_and_expire_and_revoke(citizen):
    raw, token = api_token_issue(user=citizen)
    assert raw not in token.key_hash and len(token.key_hash) == 64
    assert api_token_authenticate(raw=raw) == citizen
    assert api_token_authenticate(raw=raw + "x") is None
    token.expires_at = timezone.now()
    token.save()
    assert api_token_authenticate(raw=raw) is None
    raw2, _ = api_token_issue(user=citizen)
    assert api_token_revoke(raw=raw2)
    assert api_token_authenticate(raw=raw2) is None


def test_token_of_a_locked_account_stops_working(citizen):
    raw, _ = api_token_issue(user=citizen)
    User.objects.filter(pk=citizen.pk).update(locked_at=timezone.now())
    assert api_token_authenticate(raw=raw) is None


@pytest.mark.real_password_hashing
def test_passwords_are_hashed_with_argon2():
    from tests.factories import make_applicant

    user = make_applicant(username="hashed", id_number="079090009999", name="Lê Văn Hải")
    assert user.password.startswith("argon2")
