"""The API's outside contract: health probes, OpenAPI, tokens, the JSON error format."""

import pytest
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_health_and_readiness(client: Client):
    assert client.get("/healthz").json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_openapi_document_is_served(client: Client):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/auth/token" in spec["paths"]


def test_token_exchange_and_bearer_use(client: Client, citizen):
    response = client.post(
        "/api/v1/auth/token", {"username": "citizen", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] > 0
    assert len(body["access_token"]) >= 32


def test_wrong_password_gives_401_in_error_format(client: Client, citizen):
    response = client.post(
        "/api/v1/auth/token", {"username": "citizen", "password": "nope"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"
    assert response.json()["detail"]


def test_locked_account_gives_403(client: Client, citizen):
    for _ in range(10):
        client.post("/api/v1/auth/token", {"username": "citizen", "password": "x"}, content_type="application/json")
    response = client.post(
        "/api/v1/auth/token", {"username": "citizen", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"] == "account_locked"


def test_malformed_body_gives_400_with_fields(client: Client):
    response = client.post("/api/v1/auth/token", {"username": "x"}, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "bad_request"
    assert "password" in body["fields"]


def test_unknown_api_path_gives_json_404(client: Client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_rate_limit_allows_thirty_then_429_with_retry_after(client: Client, monkeypatch):
    # Freeze the clock inside one window so the test never straddles a minute boundary.
    monkeypatch.setattr("motcua.api.ratelimit.time.time", lambda: 1_800_000_000.0)
    body = {"username": "nobody", "password": "x"}
    statuses = [client.post("/api/v1/auth/token", body, content_type="application/json").status_code for _ in range(30)]
    assert statuses == [401] * 30
    response = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == 429
    assert response.json()["error"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_wrong_method_gives_json_405(client: Client):
    response = client.get("/api/v1/auth/token")
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"


def test_every_operation_documents_the_error_format(client: Client):
    spec = client.get("/api/v1/openapi.json").json()
    assert set(spec["components"]["schemas"]["Error"]["required"]) == {"error", "detail"}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            assert "400" in operation["responses"], f"{method} {path}"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/auth/token", '{"username": "\\u0000", "password": "x"}'),
        ("/api/v1/auth/token", '{"username": "a\\U0000b", "password": "x"}'.replace("U", "u")),
    ],
)
def test_nul_characters_are_refused_with_400(client: Client, path, body):
    response = client.post(path, body, content_type="application/json")
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def test_nul_in_query_or_path_is_refused(client: Client):
    assert client.get("/api/v1/procedures", {"q": "a\x00b"}).status_code == 400
    assert client.get("/api/v1/agencies/000%00").status_code == 400
