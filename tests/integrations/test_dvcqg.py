"""The national portal (DVCQG): every change pushed exactly once through the outbox, whatever the
portal does; dossiers filed at the portal pulled into MotCua once; the procedure lists compared."""

import base64

import pytest
from django.core.management import call_command

from motcua.core import outbox
from motcua.core.models import OutboxMessage
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_act
from motcua.integrations.dvcqg.sync import dvcqg_pull, procedures_compare
from tests.integrations.conftest import PROCEDURE, make_due, submit, version_of

pytestmark = pytest.mark.django_db
TOPIC = "dossier.changed>dvcqg"


@pytest.fixture(autouse=True)
def fast_outbox(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 4
    settings.INTEGRATIONS_TIMEOUT_SECONDS = 1.0


def test_dossier_submitted_while_portal_down_reaches_it_exactly_once(demo, dvcqg):
    dvcqg.control(mode="down")
    dossier = submit(demo["demo.citizen2"])
    outbox.deliver_pending()
    message = OutboxMessage.objects.get(topic=TOPIC)
    assert message.state == "pending" and message.attempts == 1 and "HTTP 503" in message.last_error
    assert dvcqg.state()["dossiers"] == {}

    make_due(topic=TOPIC)
    outbox.deliver_pending()  # still down: a second failed try
    assert dvcqg.state()["received"] == 2

    dvcqg.control(mode="normal")
    assert outbox.deliver_pending() == 0  # backing off: nothing is due yet
    make_due(topic=TOPIC)
    assert outbox.deliver_pending() == 1
    make_due()
    outbox.deliver_pending()
    state = dvcqg.state()
    assert list(state["dossiers"]) == [dossier.code]
    assert state["pushes"] == 1 and state["duplicates"] == 0
    sent = state["dossiers"][dossier.code]
    assert sent["TrangThaiHoSo"] == 1 and sent["MaTTHC"] == PROCEDURE and sent["KenhThucHien"] == 2
    assert sent["ChuHoSo"] == "Trần Thị Bích Ngọc" and sent["MaDoiTuong"] == "079185005678"
    assert len(sent["NgayNopHoSo"]) == 14 and sent["TaiLieuNop"]
    assert state["progress"][0]["TrangThai"] == 1 and state["progress"][0]["MaHoSo"] == dossier.code
    assert OutboxMessage.objects.get(topic=TOPIC).state == "delivered"


def test_status_changes_follow_with_progress(demo, dvcqg):
    dossier = submit(demo["demo.citizen"])
    outbox.deliver_pending()
    receiver = demo["demo.ward.receiver"]
    assert dossier.current_agency.memberships.filter(user=receiver, role="receiver").exists()
    dossier = dossier_act(actor=receiver, code=dossier.code, action="receive", version=dossier.version)
    outbox.deliver_pending()
    state = dvcqg.state()
    sent = state["dossiers"][dossier.code]
    assert sent["TrangThaiHoSo"] == 2 and sent["NgayTiepNhan"] and sent["NgayHenTra"]
    assert [p["TrangThai"] for p in state["progress"]] == [1, 2]
    assert state["progress"][1]["NguoiXuLy"] == receiver.full_name
    assert state["progress"][1]["ChucDanh"] == "Công chức một cửa"


def test_a_late_retry_never_rolls_the_portal_back(demo, dvcqg):
    """v1 fails, v2 goes through, then v1's retry arrives: the portal keeps v2's state."""
    dossier = submit(demo["demo.citizen"])
    dvcqg.control(fail_next=1)
    outbox.deliver_pending()
    assert OutboxMessage.objects.get(topic=TOPIC).state == "pending"
    receiver = demo["demo.ward.receiver"]
    assert dossier.current_agency.memberships.filter(user=receiver, role="receiver").exists()
    dossier = dossier_act(actor=receiver, code=dossier.code, action="receive", version=dossier.version)
    outbox.deliver_pending()
    make_due(topic=TOPIC)
    outbox.deliver_pending()
    state = dvcqg.state()
    assert state["dossiers"][dossier.code]["TrangThaiHoSo"] == 2
    assert state["versions"][dossier.code] == dossier.version
    assert set(OutboxMessage.objects.filter(topic=TOPIC).values_list("state", flat=True)) == {"delivered"}


@pytest.mark.parametrize("switches", [{"mode": "garbage"}, {"delay_seconds": 1.5}])
def test_garbage_or_slow_answers_are_retried_then_dead_lettered(demo, dvcqg, switches):
    submit(demo["demo.citizen2"])
    dvcqg.control(**switches)
    outbox.deliver_pending(rounds=1)  # the fan-out
    for _ in range(4):
        make_due(topic=TOPIC)
        outbox.deliver_pending(rounds=1)
    message = OutboxMessage.objects.get(topic=TOPIC)
    assert message.state == "dead" and message.attempts == 4
    assert "IntegrationUnavailable" in message.last_error
    # The fan-out itself and the other subscribers are unaffected.
    assert OutboxMessage.objects.get(topic="dossier.changed").state == "delivered"
    # Back to normal, an administrator retries: delivered, once.
    dvcqg.control(mode="normal", delay_seconds=0)
    outbox.retry_now([message.pk])
    outbox.deliver_pending()
    message.refresh_from_db()
    assert message.state == "delivered"
    state = dvcqg.state()
    assert len(state["dossiers"]) == 1 and state["pushes"] == 1


def test_a_redelivery_is_dropped_by_the_portal(demo, dvcqg):
    submit(demo["demo.citizen2"])
    outbox.deliver_pending()
    message = OutboxMessage.objects.get(topic=TOPIC)
    # As if the worker died after the portal answered but before the row was marked.
    OutboxMessage.objects.filter(pk=message.pk).update(state="pending", claimed_until=None)
    outbox.deliver_pending()
    state = dvcqg.state()
    assert state["pushes"] == 1 and state["duplicates"] == 1 and len(state["progress"]) == 1


def national_dossier(**overrides):
    version = version_of()
    from motcua.catalog.eforms import form_example

    form = form_example(version.form_schema)
    form.update(ho_ten="Lê Hoàng Minh", so_dinh_danh="079095000111")
    documents = [
        {
            "MaThanhPhan": doc.code,
            "TenTep": "to-khai.pdf",
            "NoiDungBase64": base64.b64encode(b"%PDF-1.4\n%%EOF\n").decode(),
        }
        for doc in version.documents.all()
        if doc.required and not doc.state_data_source
    ]
    return {
        "MaTTHC": PROCEDURE,
        "ChuHoSo": "Lê Hoàng Minh",
        "MaDoiTuong": "079095000111",
        "NgaySinh": "19950721",
        "GioiTinh": "1",
        "DiaChi": "8 Pasteur, Phường Sài Gòn, Thành phố Hồ Chí Minh",
        "SoDienThoai": "0903000111",
        "Email": "minh.le@example.vn",
        "DuLieuToKhai": form,
        "TaiLieuNop": documents,
        **overrides,
    }


def test_pull_files_national_dossiers_once(demo, dvcqg):
    import httpx

    created = httpx.post(f"{dvcqg.url}/_control/submit", json=national_dossier(), timeout=10).json()
    httpx.post(f"{dvcqg.url}/_control/submit", json=national_dossier(MaTTHC="9.999999"), timeout=10)
    report = dvcqg_pull()
    assert len(report.created) == 1 and report.failed and report.failed[0][1]
    dossier = Dossier.objects.get(code=report.created[0])
    assert dossier.applicant_name == "Lê Hoàng Minh" and dossier.status == 1
    assert dossier.idempotency_key == f"dvcqg:{created['MaHoSoQG']}"
    assert dvcqg.state()["acknowledged"] == {created["MaHoSoQG"]: dossier.code}

    # Pulled again (e.g. the acknowledgement was lost): nothing filed twice.
    httpx.post(f"{dvcqg.url}/_control/reset", timeout=10)
    httpx.post(f"{dvcqg.url}/_control/submit", json=national_dossier(MaHoSoQG=created["MaHoSoQG"]), timeout=10)
    again = dvcqg_pull()
    assert again.created == [] and again.existing == [dossier.code]
    assert Dossier.objects.filter(applicant_id_number="079095000111").count() == 1


def test_pull_while_portal_down_raises_unavailable(demo, dvcqg):
    from motcua.integrations.errors import IntegrationUnavailable

    dvcqg.control(mode="down")
    with pytest.raises(IntegrationUnavailable):
        dvcqg_pull()


def test_procedure_lists_compared(demo, dvcqg, capsys):
    differences = procedures_compare()
    national_codes = {code for code, _ in differences.missing_here}
    assert PROCEDURE not in national_codes  # in both
    assert any(code == PROCEDURE for code, _ in differences.only_here) is False
    assert differences.only_here  # the catalogue has procedures the slice does not list
    dvcqg.control(procedures=[{"MaTTHC": "9.000001", "TenTTHC": "Thủ tục mới", "MaLinhVuc": "X"}])
    differences = procedures_compare()
    assert differences.missing_here == [("9.000001", "Thủ tục mới")]
    call_command("dvcqg_procedures")
    assert "9.000001" in capsys.readouterr().out


def test_run_periodic_pulls_from_the_portal(demo, dvcqg, settings):
    import httpx

    httpx.post(f"{dvcqg.url}/_control/submit", json=national_dossier(), timeout=10).raise_for_status()
    call_command("run_periodic", once=True)
    assert Dossier.objects.filter(applicant_id_number="079095000111", idempotency_key__startswith="dvcqg:").count() == 1
    assert len(dvcqg.state()["acknowledged"]) == 1
    # The portal down: the loop goes on, nothing filed, nothing raised.
    dvcqg.control(mode="down")
    call_command("run_periodic", once=True)
