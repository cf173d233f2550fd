"""Domain errors speak the language of the request that raised them (Vietnamese by default)."""

import pytest
from django.utils import translation

from motcua.core.errors import BadInput, NotFound, StaleVersion, translated_error_names


def test_messages_follow_the_active_language():
    assert NotFound().detail == "Không tìm thấy nội dung yêu cầu."
    with translation.override("en"):
        assert NotFound().detail != "Không tìm thấy nội dung yêu cầu."
        assert "not" in NotFound().detail.lower()
        assert StaleVersion().detail.isascii()
        # Text built at run time is not in the catalogue: it is shown as it was written.
        assert BadInput("Hồ sơ 000.00.31.H29-260105-0001 chưa có kết quả.").detail.startswith("Hồ sơ")


def test_makemessages_collects_every_error_class():
    import motcua.signing.pki  # noqa: F401  (defines SigningUnavailable)

    names = translated_error_names()
    assert {"BadInput", "Conflict", "NotFound", "PermissionDenied", "SigningUnavailable"} <= set(names)


DEADLINE = "/api/v1/calendar/deadline?start=2026-01-05T08:00:00%2B07:00"  # neither days nor hours


@pytest.mark.django_db
def test_api_errors_in_english_when_asked(client):
    response = client.get(DEADLINE, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    vietnamese = client.get(DEADLINE).json()["detail"]
    assert response.json()["detail"] != vietnamese
    assert response.json()["detail"].isascii()
