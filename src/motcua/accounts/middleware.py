"""Pages of a signed-in person are private: no shared cache, no service-worker cache keeps them."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class PrivatePagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Only requests with a session cookie can be signed in: the others skip the session look-up.
        if (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            and "Cache-Control" not in response
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
        ):
            patch_cache_control(response, private=True, no_store=True)
        return response
