"""The dossier API of contract.md, over HTTP with bearer tokens, on the seed catalogue."""

import pytest
from django.core.management import call_command
from django.test import Client

from motcua.catalog.eforms import form_example
from motcua.catalog.models import ProcedureVersion
from motcua.directory.seed import HOME_AFFAIRS_CODE

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def token(client: Client, username: str) -> str:
    response = client.post(
        "/api/v1/auth/token", {"username": username, "password": "motcua-demo-2026"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return f"Bearer {response.json()['access_token']}"


@pytest.fixture
def home_affairs_procedure(demo) -> ProcedureVersion:
    version = (
        ProcedureVersion.objects.filter(
            online_mode="full", agency_links__agency__code=HOME_AFFAIRS_CODE, status="active", valid_to__isnull=True
        )
        .order_by("procedure__code")
        .first()
    )
    assert version is not None, "the seed catalogue has a full-online Home Affairs procedure"
    return version


def _upload(client: Client, auth: str) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/api/v1/files",
        {"file": SimpleUploadedFile("don.pdf", PDF, content_type="application/pdf")},
        HTTP_AUTHORIZATION=auth,
    )
    assert response.status_code == 201, response.content
    return response.json()


def _submission(version: ProcedureVersion, file_id: int) -> dict:
    documents = [
        {"requirement_code": doc.code, "file_id": file_id}
        for doc in version.documents.all()
        if doc.required and not doc.state_data_source
    ]
    return {"procedure_code": version.procedure.code, "form": form_example(version.form_schema), "documents": documents}


def test_citizen_submits_and_an_officer_receives(client: Client, home_affairs_procedure):
    citizen = token(client, "demo.citizen")
    uploaded = _upload(client, citizen)
    assert uploaded["content_type"] == "application/pdf" and len(uploaded["sha256"]) == 64

    body = _submission(home_affairs_procedure, uploaded["id"])
    response = client.post(
        "/api/v1/dossiers",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=citizen,
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert response.status_code == 201, response.content
    dossier = response.json()
    assert dossier["status"] == 1
    assert dossier["code"].startswith(f"{HOME_AFFAIRS_CODE}-")
    assert dossier["applicant"]["id_number"] == "079090001234"
    assert dossier["allowed_actions"] == ["withdraw"]

    # The same Idempotency-Key returns the same dossier, not a second one.
    again = client.post(
        "/api/v1/dossiers",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=citizen,
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert again.status_code == 200
    assert again.json()["code"] == dossier["code"]

    listed = client.get("/api/v1/dossiers", HTTP_AUTHORIZATION=citizen).json()
    assert [item["code"] for item in listed["items"]] == [dossier["code"]]

    receiver = token(client, "demo.receiver")
    seen = client.get(f"/api/v1/dossiers/{dossier['code']}", HTTP_AUTHORIZATION=receiver).json()
    assert "receive" in seen["allowed_actions"]
    received = client.post(
        f"/api/v1/dossiers/{dossier['code']}/actions/receive",
        {"version": seen["version"]},
        content_type="application/json",
        HTTP_AUTHORIZATION=receiver,
    )
    assert received.status_code == 200, received.content
    received = received.json()
    assert received["status"] == 2
    assert received["due_at"] is not None
    assert any(doc["kind"] == "notice" and doc["form_number"] == "01" for doc in received["documents"])

    # A stale page: the same version again is a 409 with a plain explanation.
    stale = client.post(
        f"/api/v1/dossiers/{dossier['code']}/actions/assign",
        {"version": seen["version"]},
        content_type="application/json",
        HTTP_AUTHORIZATION=receiver,
    )
    assert stale.status_code == 409
    assert stale.json()["error"] == "stale_version"

    events = client.get(f"/api/v1/dossiers/{dossier['code']}/events", HTTP_AUTHORIZATION=citizen).json()["items"]
    assert [e["action"] for e in events] == ["submit", "receive"]
    assert events[1]["from_status"] == 1 and events[1]["to_status"] == 2

    receipt = next(doc for doc in received["documents"] if doc["form_number"] == "01")
    download = client.get(receipt["url"].replace("http://testserver", ""), HTTP_AUTHORIZATION=citizen)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_others_cannot_see_a_dossier(client: Client, home_affairs_procedure):
    citizen = token(client, "demo.citizen")
    uploaded = _upload(client, citizen)
    code = client.post(
        "/api/v1/dossiers",
        _submission(home_affairs_procedure, uploaded["id"]),
        content_type="application/json",
        HTTP_AUTHORIZATION=citizen,
    ).json()["code"]
    for outsider in ("demo.citizen2", "demo.ward.receiver"):
        auth = token(client, outsider)
        assert client.get(f"/api/v1/dossiers/{code}", HTTP_AUTHORIZATION=auth).status_code == 404
        assert client.get(f"/api/v1/dossiers/{code}/events", HTTP_AUTHORIZATION=auth).status_code == 404
        assert client.get("/api/v1/dossiers", HTTP_AUTHORIZATION=auth).json()["items"] == []
    assert client.get(f"/api/v1/dossiers/{code}").status_code == 401


def test_applicant_cannot_take_officer_actions(client: Client, home_affairs_procedure):
    citizen = token(client, "demo.citizen")
    uploaded = _upload(client, citizen)
    created = client.post(
        "/api/v1/dossiers",
        _submission(home_affairs_procedure, uploaded["id"]),
        content_type="application/json",
        HTTP_AUTHORIZATION=citizen,
    ).json()
    response = client.post(
        f"/api/v1/dossiers/{created['code']}/actions/receive",
        {"version": created["version"]},
        content_type="application/json",
        HTTP_AUTHORIZATION=citizen,
    )
    assert response.status_code == 403
    assert response.json()["detail"]


def test_invalid_form_is_422_naming_the_field(client: Client, home_affairs_procedure):
    citizen = token(client, "demo.citizen")
    uploaded = _upload(client, citizen)
    body = _submission(home_affairs_procedure, uploaded["id"])
    required = home_affairs_procedure.form_schema.get("required") or []
    assert required, "full-online seed procedures have required e-form fields"
    body["form"].pop(required[0])
    response = client.post("/api/v1/dossiers", body, content_type="application/json", HTTP_AUTHORIZATION=citizen)
    assert response.status_code == 422
    assert required[0] in response.json()["fields"]


def test_missing_documents_are_listed(client: Client, home_affairs_procedure):
    citizen = token(client, "demo.citizen")
    body = _submission(home_affairs_procedure, 0)
    if not body["documents"]:
        pytest.skip("this procedure needs no upload")
    body["documents"] = []
    response = client.post("/api/v1/dossiers", body, content_type="application/json", HTTP_AUTHORIZATION=citizen)
    assert response.status_code == 422
    assert "Còn thiếu giấy tờ" in response.json()["detail"]


@pytest.mark.parametrize(
    ("content", "status"),
    [(b"MZ\x90\x00 not a document", 415), (b"", 400)],
)
def test_uploads_are_checked(client: Client, demo, content, status):
    from django.core.files.uploadedfile import SimpleUploadedFile

    citizen = token(client, "demo.citizen")
    response = client.post("/api/v1/files", {"file": SimpleUploadedFile("x.pdf", content)}, HTTP_AUTHORIZATION=citizen)
    assert response.status_code == status
    assert response.json()["detail"]


def test_too_large_upload_is_413(client: Client, demo, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    citizen = token(client, "demo.citizen")
    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1)
    response = client.post("/api/v1/files", {"file": SimpleUploadedFile("big.pdf", big)}, HTTP_AUTHORIZATION=citizen)
    assert response.status_code == 413


def test_api_times_are_in_vietnam_time(client: Client, home_affairs_procedure):
    citizen = token(client, "demo.citizen")
    uploaded = _upload(client, citizen)
    created = client.post(
        "/api/v1/dossiers",
        _submission(home_affairs_procedure, uploaded["id"]),
        content_type="application/json",
        HTTP_AUTHORIZATION=citizen,
    )
    assert created.json()["submitted_at"].endswith("+07:00")
    assert "Z" not in created.json()["submitted_at"]


def _submitted_and_received(client: Client, version: ProcedureVersion) -> tuple[str, str, dict]:
    citizen, receiver = token(client, "demo.citizen"), token(client, "demo.receiver")
    uploaded = _upload(client, citizen)
    created = client.post(
        "/api/v1/dossiers",
        _submission(version, uploaded["id"]),
        content_type="application/json",
        HTTP_AUTHORIZATION=citizen,
    ).json()
    received = _action(client, receiver, created["code"], "receive", {"version": created["version"]})
    assert received.status_code == 200, received.content
    return citizen, receiver, received.json()


def _action(client: Client, auth: str, code: str, action: str, body: dict):
    return client.post(
        f"/api/v1/dossiers/{code}/actions/{action}", body, content_type="application/json", HTTP_AUTHORIZATION=auth
    )


def test_fees_go_through_the_payments_domain(client: Client, home_affairs_procedure):
    from motcua.catalog.models import Fee

    home_affairs_procedure.fees.all().delete()
    Fee.objects.create(version=home_affairs_procedure, case="Cấp mới", amount_vnd=200_000)
    citizen, receiver, dossier = _submitted_and_received(client, home_affairs_procedure)
    code = dossier["code"]
    assert "request_payment" in dossier["allowed_actions"]

    asked = _action(client, receiver, code, "request_payment", {"version": dossier["version"]})
    assert asked.status_code == 200, asked.content
    assert asked.json()["status"] == 6
    (invoice,) = client.get(f"/api/v1/payments/invoices?dossier={code}", HTTP_AUTHORIZATION=citizen).json()["items"]
    assert (invoice["state"], invoice["amount_vnd"]) == ("created", 200_000)

    # The applicant cannot mark the fee paid: 403, told to pay online; nothing changes.
    mine = client.get(f"/api/v1/dossiers/{code}", HTTP_AUTHORIZATION=citizen).json()
    assert "pay" not in mine["allowed_actions"]
    refused = _action(client, citizen, code, "pay", {"version": mine["version"]})
    assert refused.status_code == 403
    assert refused.json()["error"] == "forbidden" and "thanh toán trực tuyến" in refused.json()["detail"]
    assert client.get(f"/api/v1/dossiers/{code}", HTTP_AUTHORIZATION=citizen).json()["version"] == mine["version"]

    # The one-stop officer records the counter payment, with its receipt number.
    seen = client.get(f"/api/v1/dossiers/{code}", HTTP_AUTHORIZATION=receiver).json()
    assert "pay" in seen["allowed_actions"]
    missing = _action(client, receiver, code, "pay", {"version": seen["version"]})
    assert missing.status_code == 400 and missing.json()["fields"] == {"receipt_number": "required"}
    stale = _action(client, receiver, code, "pay", {"version": seen["version"] - 1, "receipt_number": "BL-7"})
    assert stale.status_code == 409 and stale.json()["error"] == "stale_version"
    paid = _action(client, receiver, code, "pay", {"version": seen["version"], "receipt_number": "BL-7"})
    assert paid.status_code == 200, paid.content
    assert paid.json()["status"] == 2
    (invoice,) = client.get(f"/api/v1/payments/invoices?dossier={code}", HTTP_AUTHORIZATION=citizen).json()["items"]
    assert (invoice["state"], invoice["channel"]) == ("success", "counter")
    events = client.get(f"/api/v1/dossiers/{code}/events", HTTP_AUTHORIZATION=receiver).json()["items"]
    assert [e["action"] for e in events][-2:] == ["request_payment", "pay"]
    assert events[-1]["data"]["invoice"]["reference"] == invoice["reference"]


def test_no_fee_no_payment_request(client: Client, home_affairs_procedure):
    home_affairs_procedure.fees.all().delete()
    _citizen, receiver, dossier = _submitted_and_received(client, home_affairs_procedure)
    assert "request_payment" not in dossier["allowed_actions"]
    refused = _action(client, receiver, dossier["code"], "request_payment", {"version": dossier["version"]})
    assert refused.status_code == 409
    after = client.get(f"/api/v1/dossiers/{dossier['code']}", HTTP_AUTHORIZATION=receiver).json()
    assert (after["status"], after["version"]) == (2, dossier["version"])


def test_an_online_supplement_attaches_its_documents_and_resumes_in_one_step(client: Client, home_affairs_procedure):
    citizen, receiver, dossier = _submitted_and_received(client, home_affairs_procedure)
    code = dossier["code"]
    asked = _action(client, receiver, code, "request_supplement", {"version": dossier["version"], "note": "Ảnh rõ nét"})
    assert asked.status_code == 200 and asked.json()["status"] == 5
    version = asked.json()["version"]
    requirement = home_affairs_procedure.documents.order_by("order").first().code
    upload = _upload(client, citizen)
    others = _upload(client, token(client, "demo.citizen2"))

    for bad in (
        [{"requirement_code": "KHONG_CO", "file_id": upload["id"]}],
        [{"requirement_code": requirement, "file_id": others["id"]}],  # someone else's file
    ):
        response = _action(client, citizen, code, "supplement", {"version": version, "documents": bad})
        assert response.status_code == 400, response.content
        assert response.json()["detail"]
    assert client.get(f"/api/v1/dossiers/{code}", HTTP_AUTHORIZATION=citizen).json()["status"] == 5

    documents = [
        {"requirement_code": requirement, "file_id": upload["id"]},
        {"requirement_code": "BO_SUNG", "file_id": upload["id"]},
    ]
    answered = _action(client, citizen, code, "supplement", {"version": version, "documents": documents})
    assert answered.status_code == 200, answered.content
    body = answered.json()
    assert body["status"] == 2 and body["version"] == version + 1
    added = [d for d in body["documents"] if d["kind"] == "input" and d["name"].startswith("Giấy tờ bổ sung")]
    assert sorted(d["requirement_code"] for d in added) == sorted([requirement, "BO_SUNG"])
    assert {d["sha256"] for d in added} == {upload["sha256"]}
