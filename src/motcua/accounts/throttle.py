"""Limits on guessing, kept in Django's cache: identity checks and password-reset e-mails.

Sign-up asks the population database "does this ID, name and date of birth match?": without a
limit, that question would let anyone find a stranger's date of birth by trying every day.
"""

import hashlib

from django.core.cache import cache

from motcua.core.errors import RateLimited

HOUR = 3600
IDENTITY_MISSES_PER_CLIENT = 10
IDENTITY_MISSES_PER_ID = 5
RESETS_PER_CLIENT = 10
RESETS_PER_EMAIL = 3

TOO_MANY_MISSES = (
    "Thông tin đã nhập chưa khớp quá nhiều lần. Vì an toàn, vui lòng thử lại sau 1 giờ, "
    "hoặc mang thẻ căn cước đến bộ phận một cửa để được hỗ trợ."
)


def _key(scope: str, value: str) -> str:
    # Hashed: personal IDs and e-mail addresses never appear in cache keys.
    return f"throttle:{scope}:{hashlib.sha256(value.encode('utf-8')).hexdigest()[:32]}"


def _count(key: str) -> int:
    return int(cache.get(key) or 0)


def _add(key: str) -> int:
    cache.add(key, 0, timeout=HOUR)
    try:
        return int(cache.incr(key))
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=HOUR)
        return 1


def identity_check_guard(*, id_number: str, client: str) -> None:
    """Refuse a check after too many mismatches from this client or for this ID in the last hour."""
    if _count(_key("identity-id", id_number)) >= IDENTITY_MISSES_PER_ID or (
        client and _count(_key("identity-client", client)) >= IDENTITY_MISSES_PER_CLIENT
    ):
        raise RateLimited(TOO_MANY_MISSES, retry_after=HOUR)


def identity_miss_record(*, id_number: str, client: str) -> None:
    _add(_key("identity-id", id_number))
    if client:
        _add(_key("identity-client", client))


def reset_email_allowed(*, email: str, client: str) -> bool:
    """Whether another reset e-mail may go out (a flood would bury the real one, or annoy)."""
    per_email = _add(_key("reset-email", email.strip().lower()))
    per_client = _add(_key("reset-client", client)) if client else 0
    return per_email <= RESETS_PER_EMAIL and per_client <= RESETS_PER_CLIENT
