"""The inbox and notification settings pages: one's own only, newest first, marked read on open."""

import pytest
from django.test import Client

from motcua.notifications.models import Notification, NotificationPreference
from motcua.notifications.services import notification_send

pytestmark = pytest.mark.django_db


def _notify(user, n: int, code: str = "000.00.31.H29-260907-0001") -> Notification:
    return notification_send(
        user=user,
        event="received",
        context={"code": code, "procedure": "Cấp giấy xác nhận", "agency": "Sở Nội vụ", "due_at": f"{n:02d}/09/2026"},
        link=f"/ho-so-cua-toi/{code}/",
        dossier_code=code,
        dedupe_key=f"test:{user.pk}:{n}",
    )


@pytest.fixture
def signed_in(client: Client, citizen) -> Client:
    client.force_login(citizen)
    return client


def test_signed_out_people_are_sent_to_the_login_page(client):
    for path in ("/hop-thu/", "/hop-thu/1/", "/tai-khoan/thong-bao/"):
        response = client.get(path)
        assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]


def test_inbox_lists_newest_first_with_the_unread_count(signed_in, citizen, citizen2):
    first = _notify(citizen, 1)
    second = _notify(citizen, 2)
    _notify(citizen2, 3)  # someone else's
    response = signed_in.get("/hop-thu/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index(second.title) < page.index(first.title)
    assert "03/09/2026" not in page
    assert "Bạn có 2 thông báo chưa đọc." in page
    assert 'class="badge inbox-badge">2<' in page  # the navigation's badge


def test_opening_marks_read_and_shows_the_message(signed_in, citizen, django_assert_max_num_queries):
    citizen.email = "an@example.vn"
    citizen.save()
    notification = _notify(citizen, 1)
    with django_assert_max_num_queries(8):
        response = signed_in.get(f"/hop-thu/{notification.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Thư điện tử: chờ gửi" in page  # the delivery, as recorded
    assert "Đây là thư tự động" not in page  # the e-mail's signature is not for the inbox
    assert notification.title in page
    assert "Kính gửi Nguyễn Văn An," in page
    assert 'href="https://dichvucong.example.vn/ho-so-cua-toi/000.00.31.H29-260907-0001/"' in page
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "Bạn đã đọc hết thông báo." in signed_in.get("/hop-thu/").content.decode()


def test_another_person_cannot_open_it(client, citizen, citizen2):
    notification = _notify(citizen, 1)
    client.force_login(citizen2)
    assert client.get(f"/hop-thu/{notification.pk}/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
    assert notification.title not in client.get("/hop-thu/").content.decode()


def test_keyset_pages(signed_in, citizen, django_assert_max_num_queries):
    rows = [_notify(citizen, n) for n in range(1, 26)]
    with django_assert_max_num_queries(8):
        page = signed_in.get("/hop-thu/").content.decode()
    assert f"/hop-thu/{rows[-1].pk}/" in page and f"/hop-thu/{rows[5].pk}/" in page
    assert f"/hop-thu/{rows[4].pk}/" not in page
    assert f"?truoc={rows[5].pk}" in page
    older = signed_in.get(f"/hop-thu/?truoc={rows[5].pk}").content.decode()
    assert f"/hop-thu/{rows[4].pk}/" in older and f"/hop-thu/{rows[0].pk}/" in older
    assert f"/hop-thu/{rows[5].pk}/" not in older
    assert "Thông báo cũ hơn" not in older


def test_mark_all_read(signed_in, citizen, citizen2):
    _notify(citizen, 1)
    _notify(citizen, 2)
    others = _notify(citizen2, 3)
    response = signed_in.post("/hop-thu/da-doc-het/")
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=citizen, read_at__isnull=True).exists()
    others.refresh_from_db()
    assert others.read_at is None


def test_preferences_page_saves_the_choices(signed_in, citizen):
    citizen.email = "an@example.vn"
    citizen.save()
    page = signed_in.get("/tai-khoan/thong-bao/").content.decode()
    assert "Gửi đến an@example.vn." in page
    assert 'id="pref-email" name="email" checked' in page
    response = signed_in.post("/tai-khoan/thong-bao/", {"sms": "on", "language": "en"})
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=citizen)
    assert (preference.email, preference.sms, preference.language) == (False, True, "en")
    # The next notification is in English and not e-mailed.
    notification = _notify(citizen, 9)
    assert notification.title.startswith("Application ")
    assert not notification.deliveries.filter(channel="email").exists()


def test_preferences_refuse_an_unknown_language(signed_in, citizen):
    response = signed_in.post("/tai-khoan/thong-bao/", {"email": "on", "language": "fr"})
    assert response.status_code == 400
    assert "Hãy chọn ngôn ngữ nhận thông báo" in response.content.decode()
    assert not NotificationPreference.objects.filter(user=citizen).exists()
