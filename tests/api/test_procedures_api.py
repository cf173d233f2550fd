"""GET /api/v1/procedures and /api/v1/procedures/{code} (contract.md)."""

import pytest
from jsonschema import Draft202012Validator

from motcua.catalog.eforms import form_example
from motcua.catalog.selectors import commune_unit_codes
from tests.catalog.conftest import seeded  # noqa: F401 — the module-scoped seed fixture

pytestmark = pytest.mark.django_db


def test_search_best_match_first_without_diacritics(client, seeded):  # noqa: F811
    response = client.get("/api/v1/procedures", {"q": "lam giay khai sinh cho con"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] >= 1
    first = body["items"][0]
    assert first["code"] == "1.001193"
    assert set(first) >= {"code", "name", "field", "online_mode", "processing_days", "fee_vnd", "agency_codes"}
    assert first["fee_vnd"] == 0 and first["online_mode"] == "full" and first["processing_days"] == 1
    assert commune_unit_codes()[0] in first["agency_codes"]


def test_filters_and_pages(client, seeded):  # noqa: F811
    body = client.get("/api/v1/procedures", {"online": "partial", "page": 2, "page_size": 5}).json()
    assert body["page"] == 2 and len(body["items"]) == 5
    assert all(item["online_mode"] == "partial" for item in body["items"])
    ward = commune_unit_codes()[-1]
    body = client.get("/api/v1/procedures", {"agency": ward, "page_size": 100}).json()
    assert body["count"] > 10 and all(ward in item["agency_codes"] for item in body["items"])


@pytest.mark.parametrize(
    "params", [{"online": "maybe"}, {"page": "abc"}, {"page": 0}, {"level": "district"}, {"q": "x" * 300}]
)
def test_bad_parameters_are_400(client, seeded, params):  # noqa: F811
    response = client.get("/api/v1/procedures", params)
    assert response.status_code == 400
    assert set(response.json()) >= {"error", "detail"}


def test_detail_with_documents_schema_steps_fees_and_legal_basis(client, seeded):  # noqa: F811
    response = client.get("/api/v1/procedures/1.001193")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Đăng ký khai sinh"
    assert body["documents"] and {"code", "name", "required"} <= set(body["documents"][0])
    assert any(doc["state_data_source"] == "civil_status_db" for doc in body["documents"])
    assert body["fees"] == [{"case": "Miễn lệ phí khi đăng ký đúng hạn", "amount_vnd": 0, "note": ""}]
    assert sum(step["hours"] for step in body["steps"]) == 8
    assert body["legal_basis"]
    schema = body["form_schema"]
    assert not list(Draft202012Validator(schema).iter_errors(form_example(schema)))


def test_every_procedure_detail_has_examples_a_client_can_submit(client, seeded):  # noqa: F811
    codes = [item["code"] for item in client.get("/api/v1/procedures", {"page_size": 100}).json()["items"]]
    assert len(codes) >= 60
    for code in codes[:100]:
        schema = client.get(f"/api/v1/procedures/{code}").json()["form_schema"]
        submission = {name: field["examples"][0] for name, field in schema["properties"].items()}
        assert not list(Draft202012Validator(schema).iter_errors(submission)), code


def test_unknown_procedure_is_404(client, seeded):  # noqa: F811
    response = client.get("/api/v1/procedures/9.999999")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_empty_parameters_mean_no_filter_and_the_first_page(client, seeded):  # noqa: F811
    everything = client.get("/api/v1/procedures").json()
    response = client.get("/api/v1/procedures?q=&agency=&online=&page=")
    assert response.status_code == 200
    body = response.json()
    assert body["page"] == 1 and body["count"] == everything["count"] >= 60
    assert [item["code"] for item in body["items"]] == [item["code"] for item in everything["items"]]
    response = client.get("/api/v1/procedures?q=khai+sinh&agency=&field=&online=&level=&page=&page_size=")
    assert response.status_code == 200
    assert response.json()["items"][0]["code"] == "1.001193"
    # Empty is "no filter"; a real value is still checked.
    assert client.get("/api/v1/procedures?online=&page=0").status_code == 400


def test_the_version_in_force_is_served_while_a_draft_waits(client, seeded, monkeypatch):  # noqa: F811
    import datetime as dt

    from motcua.catalog import selectors
    from motcua.catalog.services import procedure_version_create

    procedure_version_create(
        procedure_code="3.000465",
        valid_from=dt.date(2027, 5, 1),
        changes={"status": "draft", "name": "Cấp bản sao văn bằng (dự thảo chưa áp dụng)"},
    )
    monkeypatch.setattr(selectors, "_today", lambda: dt.date(2027, 6, 1))
    detail = client.get("/api/v1/procedures/3.000465")
    assert detail.status_code == 200
    assert detail.json()["name"] == "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc (tại cấp tỉnh)"
    found = client.get("/api/v1/procedures", {"q": "ban sao van bang"}).json()["items"]
    assert found[0]["code"] == "3.000465" and "dự thảo" not in found[0]["name"]
