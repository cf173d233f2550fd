"""Account use cases: signing in with a lockout, bearer tokens, officer accounts."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from motcua.accounts.models import ApiToken, User
from motcua.accounts.two_factor import WRONG_CODE_DETAIL, two_factor_check, two_factor_enabled
from motcua.core.errors import BadInput, Conflict, NotAuthenticated, PermissionDenied
from motcua.core.text import normalize

ACCOUNT_LOCKED_DETAIL = (
    "Tài khoản đã bị tạm khoá vì nhập sai mật khẩu quá nhiều lần. "
    "Vui lòng đặt lại mật khẩu hoặc liên hệ bộ phận một cửa để được mở khoá."
)
WRONG_CREDENTIALS_DETAIL = "Tên đăng nhập hoặc mật khẩu chưa đúng. Vui lòng kiểm tra và nhập lại."
TWO_FACTOR_REQUIRED_DETAIL = (
    "Tài khoản này bật đăng nhập hai bước: cần thêm mã 6 chữ số từ ứng dụng xác thực hoặc một mã dự phòng."
)


def user_sign_in(
    *,
    request: HttpRequest | None,
    username: str,
    password: str,
    one_time_code: str | None = None,
    second_step_later: bool = False,
) -> User:
    """Check a username and password; lock the account after too many failures in a row.

    Raises NotAuthenticated for a wrong pair and PermissionDenied for a locked account,
    so both the login page and the token endpoint say the same thing. An account with
    two-step login also needs `one_time_code`, unless the caller asks for it next
    (`second_step_later`: the login page, which then calls `two_factor_check`).
    """
    candidate = User.objects.filter(username=username).only("id", "locked_at").first()
    if candidate is not None and candidate.locked_at is not None:
        raise PermissionDenied(ACCOUNT_LOCKED_DETAIL, error="account_locked")
    user = authenticate(request, username=username, password=password)
    if user is None:
        if candidate is not None:
            _record_failed_login(candidate.pk)
        raise NotAuthenticated(WRONG_CREDENTIALS_DETAIL)
    if not second_step_later and two_factor_enabled(user):
        if not one_time_code:
            raise NotAuthenticated(TWO_FACTOR_REQUIRED_DETAIL, error="two_factor_required")
        if not two_factor_check(user=user, code=one_time_code):
            _record_failed_login(user.pk)
            raise NotAuthenticated(WRONG_CODE_DETAIL, error="two_factor_required")
    if user.failed_login_count:
        User.objects.filter(pk=user.pk).update(failed_login_count=0)
    return user


def _record_failed_login(user_id: int) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user_id).update(failed_login_count=F("failed_login_count") + 1)
        User.objects.filter(
            pk=user_id, failed_login_count__gte=settings.ACCOUNT_LOCK_AFTER_FAILURES, locked_at__isnull=True
        ).update(locked_at=timezone.now())


def user_record_failed_login(*, user: User) -> None:
    """A wrong second-step code counts like a wrong password towards the lockout."""
    _record_failed_login(user.pk)


def user_unlock(*, user: User) -> None:
    User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_at=None)


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("ascii")).hexdigest()


def api_token_issue(*, user: User) -> tuple[str, ApiToken]:
    """A new bearer token; the raw value is returned once and never stored."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=_hash_token(raw),
        prefix=raw[:8],
        expires_at=timezone.now() + timedelta(seconds=settings.API_TOKEN_LIFETIME_SECONDS),
    )
    return raw, token


def api_token_authenticate(*, raw: str) -> User | None:
    """The active user behind a bearer token, or None if unknown, expired or revoked."""
    if not raw or len(raw) > 200:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active or token.user.locked_at is not None:
        return None
    # Touch at most once a minute, so reads do not turn every request into a write.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def api_token_revoke(*, raw: str) -> bool:
    return bool(
        ApiToken.objects.filter(key_hash=_hash_token(raw), revoked_at__isnull=True).update(revoked_at=timezone.now())
    )


# --- officer accounts -------------------------------------------------------------------------


def officer_account_create(*, username: str, full_name: str, email: str) -> User:
    """A new officer account without a password: the officer sets one through a reset link.

    Checks that neither the username nor the e-mail is taken (case-insensitively).
    """
    username = normalize(username).lower()
    email = normalize(email).lower()
    full_name = normalize(full_name)
    if not full_name:
        raise BadInput("Vui lòng nhập họ và tên cán bộ.", fields={"full_name": "required"})
    if not username:
        raise BadInput("Vui lòng nhập tên đăng nhập.", fields={"username": "required"})
    try:
        validate_email(email)
    except ValidationError:
        raise BadInput("Thư điện tử chưa đúng, ví dụ an.nguyen@tphcm.gov.vn.", fields={"email": "invalid"}) from None
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict("Tên đăng nhập này đã có người dùng; hãy chọn tên khác.", fields={"username": "taken"})
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict("Thư điện tử này đã dùng cho một tài khoản khác.", fields={"email": "taken"})
    with transaction.atomic():
        user = User.objects.create_user(
            username=username, email=email, password=None, kind=User.Kind.OFFICER, full_name=full_name
        )
    return user
