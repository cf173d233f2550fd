"""Messages between the applicant and the officers: who may write and read, limits, attachments."""

import io
import unicodedata

import pytest

from motcua.core.errors import BadInput, NotFound, PermissionDenied
from motcua.core.models import OutboxMessage
from motcua.dossiers.messages import (
    MAX_ATTACHMENTS,
    MAX_TEXT_CHARS,
    dossier_message_post,
    dossier_messages_for_user,
    message_attachment_for_user,
)
from motcua.dossiers.models import DossierEvent, DossierMessage

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% giay to\n%%EOF\n"


def _upload(name: str = "bo-sung.pdf") -> io.BytesIO:
    stream = io.BytesIO(PDF)
    stream.name = name
    return stream


def test_applicant_and_officer_converse_with_attachments(dossier_flow):
    dossier = dossier_flow.dossier
    events_before = DossierEvent.objects.filter(dossier=dossier).count()
    decomposed = unicodedata.normalize("NFD", "Tôi gửi  thêm\r\n\r\n\r\nbản sao")
    first = dossier_message_post(user=dossier_flow.citizen, dossier=dossier, text=decomposed, files=[_upload()])
    assert first.text == "Tôi gửi thêm\n\nbản sao"
    assert first.author_role == "applicant"
    reply = dossier_message_post(user=dossier_flow.receiver, dossier=dossier, text="Đã nhận, cảm ơn anh.")
    assert reply.author_role == "officer"
    assert reply.agency_name == dossier_flow.agency.name
    for user in (dossier_flow.citizen, dossier_flow.receiver):
        messages = list(dossier_messages_for_user(user, dossier))
        assert [m.pk for m in messages] == [first.pk, reply.pk]
        assert [f.name for f in messages[0].attachments.all()] == ["bo-sung.pdf"]
        attachment = message_attachment_for_user(user, dossier, messages[0].attachments.all()[0].pk)
        assert attachment.content_type == "application/pdf"
    # Not a lifecycle event: the hash chain and the version are untouched.
    assert DossierEvent.objects.filter(dossier=dossier).count() == events_before
    assert OutboxMessage.objects.filter(topic="dossier.message").count() == 2


def test_outsiders_cannot_write_or_read(dossier_flow, citizen2, outsider):
    dossier = dossier_flow.dossier
    dossier_message_post(user=dossier_flow.citizen, dossier=dossier, text="Xin chào")
    for stranger in (citizen2, outsider):
        with pytest.raises(NotFound):
            dossier_message_post(user=stranger, dossier=dossier, text="Tôi xem được không?")
        assert list(dossier_messages_for_user(stranger, dossier)) == []
        file_id = DossierMessage.objects.first().pk
        with pytest.raises(NotFound):
            message_attachment_for_user(stranger, dossier, file_id)


def test_limits_and_validation(dossier_flow):
    dossier, citizen = dossier_flow.dossier, dossier_flow.citizen
    with pytest.raises(BadInput) as empty:
        dossier_message_post(user=citizen, dossier=dossier, text="   ")
    assert "nội dung" in empty.value.detail
    with pytest.raises(BadInput) as long:
        dossier_message_post(user=citizen, dossier=dossier, text="a" * (MAX_TEXT_CHARS + 1))
    assert "vượt quá" in long.value.detail
    with pytest.raises(BadInput):
        dossier_message_post(
            user=citizen, dossier=dossier, text="nhiều tệp", files=[_upload() for _ in range(MAX_ATTACHMENTS + 1)]
        )
    with pytest.raises(PermissionDenied):
        dossier_message_post(user=dossier_flow.receiver, dossier=dossier, text="x", kind="complaint")
    # An attachment alone is a message.
    assert dossier_message_post(user=citizen, dossier=dossier, text="", files=[_upload()]).text == ""


def test_complaints_listed_for_the_agencys_officers_only(dossier_flow, outsider):
    from motcua.dossiers.messages import complaint_list_for_officer

    dossier = dossier_flow.dossier
    dossier_message_post(user=dossier_flow.citizen, dossier=dossier, text="Hỏi thêm")
    complaint = dossier_message_post(user=dossier_flow.citizen, dossier=dossier, text="Chậm quá", kind="complaint")
    assert [m.pk for m in complaint_list_for_officer(dossier_flow.receiver)] == [complaint.pk]
    assert list(complaint_list_for_officer(outsider)) == []
    assert list(complaint_list_for_officer(dossier_flow.citizen)) == []
