# ruff: noqa: F811 (fixtures imported from tests.portal.apply_fixtures are used as arguments)
"""The log records the papers handed in with each event (name and SHA-256), inside the hash chain."""

import pytest

from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import DossierDocument, DossierEvent
from motcua.dossiers.supplements import dossier_supplement_answer
from tests.portal.apply_fixtures import PDF, act, applicant, apply_version, submit, upload  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(dossier_services, "_issue_form", lambda *args, **kwargs: None)


def _event(dossier, action):
    return DossierEvent.objects.filter(dossier=dossier, action=action).order_by("-seq").first()


def test_submission_supplement_and_result_are_recorded(applicant, apply_version, receiver, specialist, leader):
    dossier = submit(applicant)
    submitted = _event(dossier, "submit").data["attachments"]
    uploaded = {d.requirement_code: d.file.sha256 for d in DossierDocument.objects.filter(dossier=dossier) if d.file}
    assert {(a["requirement_code"], a["sha256"]) for a in submitted if a["sha256"]} == set(uploaded.items())
    assert len(uploaded) >= 2

    act(receiver, dossier.code, "receive")
    act(receiver, dossier.code, "request_supplement", note="Thiếu bản sao quyết định thôi việc.")
    dossier.refresh_from_db()
    dossier_supplement_answer(
        user=applicant, code=dossier.code, version=dossier.version, files=[upload("bo-sung.pdf", PDF + b"% bs\n")]
    )
    answered = _event(dossier, "supplement").data["attachments"]
    extra = DossierDocument.objects.get(dossier=dossier, name__contains="bo-sung.pdf")
    assert [a["sha256"] for a in answered] == [extra.file.sha256]

    act(receiver, dossier.code, "assign")
    act(specialist, dossier.code, "forward")
    act(leader, dossier.code, "approve")
    result = DossierDocument.objects.get(dossier=dossier, kind=DossierDocument.Kind.RESULT)
    approved = _event(dossier, "approve").data["signed_documents"]
    assert result.file.sha256 in [a["sha256"] for a in approved]

    # The attachments are inside the chain: changing one breaks it where it was changed.
    from motcua.dossiers.hashing import event_digest, event_fields

    event = _event(dossier, "supplement")
    assert event.hash == event_digest(prev_hash=event.prev_hash, fields=event_fields(event))
    event.data["attachments"][0]["sha256"] = "0" * 64
    assert event.hash != event_digest(prev_hash=event.prev_hash, fields=event_fields(event))
