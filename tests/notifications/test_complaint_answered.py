# ruff: noqa: F811 (fixtures imported from tests.portal.apply_fixtures are used as arguments)
"""Officers answer the complaints sent with bad ratings: the service, the back-office page, the
`feedback_answered` e-mail at the SMTP sink, and the answer on the citizen's pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.core.errors import BadInput, Conflict, NotFound, PermissionDenied
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import DossierMessage
from motcua.dossiers.ratings import CRITERIA, complaint_answer, complaints_for_officer, dossier_rate
from motcua.notifications.models import Notification
from tests.factories import make_officer
from tests.notifications.conftest import deliver
from tests.portal.apply_fixtures import act, applicant, apply_version, submit  # noqa: F401

pytestmark = pytest.mark.django_db
BAD = dict.fromkeys(CRITERIA, 2) | {"attitude": 0}
COMPLAINT = "Cán bộ hẹn ba lần mới trả kết quả, tôi phải đi lại nhiều."
ANSWER = "Chúng tôi xin lỗi ông/bà. Cán bộ đã được nhắc nhở; từ nay kết quả được gửi qua bưu điện."


@pytest.fixture(autouse=True)
def _quiet(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(dossier_services, "_issue_form", lambda *args, **kwargs: None)


@pytest.fixture
def complaint(applicant, apply_version, receiver, specialist, leader):
    dossier = submit(applicant)
    act(receiver, dossier.code, "receive")
    act(receiver, dossier.code, "assign")
    act(specialist, dossier.code, "forward")
    act(leader, dossier.code, "approve")
    act(leader, dossier.code, "resolve")
    act(receiver, dossier.code, "return_result")
    dossier_rate(user=applicant, code=dossier.code, scores=BAD, complaint=COMPLAINT)
    return DossierMessage.objects.get(kind="complaint")


def test_answer_reaches_the_citizen_by_email_and_on_their_pages(client, applicant, receiver, complaint, smtp):
    deliver()
    before = len(smtp.snapshot())
    answer = complaint_answer(user=receiver, complaint_id=complaint.pk, text=ANSWER)
    assert (answer.kind, answer.author_role, answer.text) == ("complaint", "officer", ANSWER)
    deliver()

    notification = Notification.objects.get(event="feedback_answered", recipient=applicant)
    assert notification.dossier_code == complaint.dossier.code
    mails = smtp.wait_for(before + 1)[before:]
    assert len(mails) == 1 and mails[0]["to"] == "an.nguyen@example.vn"
    assert mails[0]["subject"] == "Phản ánh, kiến nghị của bạn đã được trả lời"
    text = mails[0]["text"]
    assert "Sở Nội vụ Thành phố Hồ Chí Minh đã trả lời phản ánh, kiến nghị của bạn “Cán bộ hẹn ba lần" in text
    assert "Nội dung trả lời:\n" + ANSWER in text
    assert f"/ho-so-cua-toi/{complaint.dossier.code}/" in text

    client.force_login(applicant)
    page = client.get(reverse("portal:my_dossier", kwargs={"code": complaint.dossier.code})).content.decode()
    assert ANSWER in page
    rating_page = client.get(reverse("portal:my_dossier_rate", kwargs={"code": complaint.dossier.code}))
    assert ANSWER in rating_page.content.decode()


def test_only_officers_of_the_dossier_answer_once_with_text(applicant, receiver, complaint, other_agency, citizen2):
    outsider = make_officer(username="outsider", agency=other_agency, role="receiver")
    with pytest.raises(NotFound):
        complaint_answer(user=outsider, complaint_id=complaint.pk, text=ANSWER)
    with pytest.raises(NotFound):
        complaint_answer(user=applicant, complaint_id=complaint.pk, text=ANSWER)
    with pytest.raises(NotFound):
        complaint_answer(user=receiver, complaint_id=complaint.pk + 999, text=ANSWER)
    with pytest.raises(BadInput, match="Vui lòng nhập nội dung trả lời"):
        complaint_answer(user=receiver, complaint_id=complaint.pk, text="  \n ")
    with pytest.raises(BadInput, match="vượt quá 4000 ký tự"):
        complaint_answer(user=receiver, complaint_id=complaint.pk, text="a" * 4001)
    answer = complaint_answer(user=receiver, complaint_id=complaint.pk, text="Cảm ơn  ông/bà.")
    assert answer.text == "Cảm ơn ông/bà."
    with pytest.raises(Conflict):
        complaint_answer(user=receiver, complaint_id=complaint.pk, text=ANSWER)
    # An answer is not itself a complaint to answer.
    with pytest.raises(NotFound):
        complaint_answer(user=receiver, complaint_id=answer.pk, text=ANSWER)
    assert [c.pk for c in complaints_for_officer(outsider)] == []


def test_admin_may_not_answer(complaint, django_user_model):
    admin = django_user_model.objects.create_superuser(username="root", password="x")
    with pytest.raises(PermissionDenied):
        complaint_answer(user=admin, complaint_id=complaint.pk, text=ANSWER)


def test_backoffice_page_lists_and_answers(client, receiver, complaint, other_agency):
    client.force_login(receiver)
    url = reverse("backoffice:complaints")
    page = client.get(url + "?mo=1").content.decode()
    assert COMPLAINT in page and "Chưa trả lời" in page and 'name="complaint"' in page

    empty = client.post(url, {"complaint": complaint.pk, "text": ""})
    assert empty.status_code == 400
    assert "Vui lòng nhập nội dung trả lời phản ánh, kiến nghị." in empty.content.decode()
    assert 'aria-invalid="true"' in empty.content.decode()

    done = client.post(url, {"complaint": complaint.pk, "text": ANSWER})
    assert done.status_code == 302
    page = client.get(url).content.decode()
    assert ANSWER in page and "Đã trả lời" in page and 'name="complaint"' not in page
    assert COMPLAINT not in client.get(url + "?mo=1").content.decode()

    # Another agency's officer sees none of it.
    client.force_login(make_officer(username="outsider", agency=other_agency, role="receiver"))
    assert COMPLAINT not in client.get(url).content.decode()


def test_list_is_one_query_whatever_its_length(receiver, complaint):
    with CaptureQueriesContext(connection) as queries:
        rows = list(complaints_for_officer(receiver))
        [(row.dossier.code, row.dossier.procedure_version.name, row.answered) for row in rows]
    assert len(rows) == 1
    officer_queries = [q for q in queries.captured_queries if "dossiermessage" in q["sql"].lower()]
    assert len(officer_queries) == 1
