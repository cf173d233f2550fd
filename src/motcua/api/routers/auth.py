from django.http import HttpRequest
from ninja import Router, Schema

from motcua.accounts.services import api_token_issue, user_sign_in
from motcua.api.ratelimit import rate_limit

router = Router()


class TokenRequest(Schema):
    username: str
    password: str
    # Only for accounts with two-step login: the authenticator's 6 digits or a recovery code.
    one_time_code: str | None = None


class TokenResponse(Schema):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int


@router.post("/token", response=TokenResponse, auth=None, summary="Đổi tên đăng nhập và mật khẩu lấy mã truy cập")
def issue_token(request: HttpRequest, payload: TokenRequest) -> dict:
    rate_limit(request, scope="auth-token", limit=30, per_seconds=60)
    user = user_sign_in(
        request=request, username=payload.username, password=payload.password, one_time_code=payload.one_time_code
    )
    raw, token = api_token_issue(user=user)
    return {
        "access_token": raw,
        "token_type": "bearer",
        "expires_in": int((token.expires_at - token.created_at).total_seconds()),
    }
