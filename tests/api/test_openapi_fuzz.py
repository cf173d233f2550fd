"""Schemathesis over the whole OpenAPI document: no input makes the API crash or break its spec.

Every operation is called with generated data (valid and invalid); responses must be
documented, never 5xx, and every error must use the contract's JSON error format.
"""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.factories import PASSWORD

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


def _check_error_format(ctx, response, case):
    """contract.md: every 4xx body is {"error": <code>, "detail": <text>}."""
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body.get("error"), str) and body["error"], body
        assert isinstance(body.get("detail"), str) and body["detail"], body


@pytest.fixture
def bearer(django_db_blocker) -> str:
    """A signed-in citizen's token, so operations behind a login are fuzzed past the 401."""
    from motcua.accounts.services import api_token_issue
    from tests.factories import make_applicant

    with django_db_blocker.unblock():
        user = make_applicant(username="fuzz.citizen", id_number="079090007777", name="Phạm Minh Tuấn")
        raw, _token = api_token_issue(user=user)
    return raw


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_spec(case, bearer):
    if case.path == "/api/v1/auth/token" and isinstance(case.body, dict):
        # Keep generated credentials wrong but well-formed half the time; never lock a real account.
        case.body.setdefault("password", PASSWORD)
    # Cross-field rules (exactly one of working_days/working_hours, a parsable ISO date) make
    # some schema-valid requests rightly 400, so "schema-valid must be accepted" is not checked.
    headers = {"Authorization": f"Bearer {bearer}"}
    response = case.call_and_validate(
        headers=headers, additional_checks=[_check_error_format], excluded_checks=[positive_data_acceptance]
    )
    assert response.status_code < 500
