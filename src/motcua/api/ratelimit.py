"""A fixed-window rate limit per client address and scope, kept in Django's cache.

contract.md: never refuse a client's first 30 requests in a minute; refusals are 429
with Retry-After.
"""

import time

from django.core.cache import cache
from django.http import HttpRequest

from motcua.core.errors import RateLimited


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def rate_limit(request: HttpRequest, *, scope: str, limit: int = 30, per_seconds: int = 60) -> None:
    limit = max(limit, 30)
    window = int(time.time() // per_seconds)
    key = f"ratelimit:{scope}:{client_address(request)}:{window}"
    cache.add(key, 0, timeout=per_seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=per_seconds + 1)
        count = 1
    if count > limit:
        retry_after = per_seconds - int(time.time()) % per_seconds or 1
        raise RateLimited(retry_after=retry_after)
