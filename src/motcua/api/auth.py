"""Authentication for the API: bearer tokens, or the browser session (with CSRF)."""

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from motcua.accounts.models import User
from motcua.accounts.services import api_token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(raw=token)
        if user is not None:
            request.user = user
        return user


# Any signed-in user: a token for programs, the session for pages using htmx.
signed_in = [BearerToken(), SessionAuth()]
