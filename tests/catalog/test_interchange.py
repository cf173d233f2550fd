"""Import/export: documented JSON, all-or-nothing, idempotent, errors naming procedure and field."""

import copy
import json

import pytest
from django.core.management import CommandError, call_command

from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.catalog.selectors import catalog_export
from motcua.catalog.services import CatalogImportError, catalog_import

pytestmark = pytest.mark.django_db


def test_export_round_trips_the_seed_catalogue_exactly(seeded):
    assert catalog_export() == seeded


def test_importing_the_same_file_twice_changes_nothing(seeded):
    before = list(ProcedureVersion.objects.order_by("id").values("id", "updated_at"))
    result = catalog_import(documents=[("seed", seeded)])
    assert not result.changed and not result.created and not result.updated
    assert list(ProcedureVersion.objects.order_by("id").values("id", "updated_at")) == before


def test_a_bad_file_names_procedure_and_field_and_imports_nothing(seeded):
    document = copy.deepcopy(seeded)
    birth = next(item for item in document["procedures"] if item["code"] == "1.001193")
    birth["name"] = "Đăng ký khai sinh (đã sửa)"
    birth["documents"][0]["state_data_source"] = "sao-hoa"
    birth["steps"][0]["hours"] = 5
    birth["form_schema"]["properties"]["ho_ten_tre"]["examples"] = [""]
    document["procedures"].append({**copy.deepcopy(birth), "code": "9.999999", "field": "KHONG-CO"})
    count = Procedure.objects.count()
    with pytest.raises(CatalogImportError) as raised:
        catalog_import(documents=[("bad.json", document)])
    text = "\n".join(raised.value.errors)
    assert "1.001193" in text and "documents[0].state_data_source" in text
    assert "steps: tổng thời gian" in text
    assert "form_schema.ho_ten_tre.examples[0]" in text
    assert "9.999999" in text and "field" in text
    assert Procedure.objects.count() == count
    assert ProcedureVersion.objects.get(procedure__code="1.001193").name == "Đăng ký khai sinh"


def test_commands_export_and_import_files(seeded, tmp_path, capsys):
    target = tmp_path / "catalog.json"
    call_command("export_procedures", "--output", str(target))
    assert json.loads(target.read_text(encoding="utf-8")) == seeded
    call_command("import_procedures", str(target))
    assert "Thêm 0, cập nhật 0" in capsys.readouterr().out

    changed = json.loads(target.read_text(encoding="utf-8"))
    item = next(i for i in changed["procedures"] if i["code"] == "2.000815")
    item["processing_days"] = 2
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(changed), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_procedures", str(target), str(broken))
    assert "2.000815" in capsys.readouterr().err

    item["steps"].append({"name": "Thêm một ngày", "role": "specialist", "agency": None, "hours": 8})
    broken.write_text(json.dumps(changed), encoding="utf-8")
    call_command("import_procedures", str(broken))
    assert "cập nhật 1" in capsys.readouterr().out
    assert ProcedureVersion.objects.get(procedure__code="2.000815").processing_days == 2


def test_export_of_selected_codes(seeded):
    document = catalog_export(codes=["1.001193"])
    assert [item["code"] for item in document["procedures"]] == ["1.001193"]
    assert [field["code"] for field in document["fields"]] == ["HO-TICH"]
