"""Syncing the catalogue with the national procedure list (against the DVCQG stand-in): a dry
run by default; `--apply` writes drafts only, never the version in force; twice changes nothing."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from simulators.dvcqg import PROCEDURES

from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.catalog.services import procedure_version_activate
from motcua.integrations.dvcqg.sync import procedures_sync
from tests.integrations.conftest import PROCEDURE, submit, version_of

pytestmark = pytest.mark.django_db

RENAMED = "1.000656"  # the death registration, renamed nationally below
NEW_NAME = "Đăng ký khai tử (sửa đổi theo quy định mới)"


def national_list() -> list[dict]:
    """The stand-in's slice with one procedure renamed, two new ones, and PROCEDURE removed."""
    items = [dict(p) for p in PROCEDURES if p["MaTTHC"] != PROCEDURE]
    for item in items:
        if item["MaTTHC"] == RENAMED:
            item["TenTTHC"] = NEW_NAME
    items.append({"MaTTHC": "9.000001", "TenTTHC": "Cấp phép thử nghiệm cấp tỉnh", "MaLinhVuc": "HO-TICH",
                  "CapThucHien": "Tỉnh", "MucDo": 2})  # fmt: skip
    items.append({"MaTTHC": "9.000002", "TenTTHC": "Xác nhận thử nghiệm cấp xã", "MaLinhVuc": "LINH-VUC-MOI",
                  "CapThucHien": "Xã", "MucDo": 2})  # fmt: skip
    return items


def snapshot() -> list[tuple]:
    return list(
        ProcedureVersion.objects.order_by("procedure__code", "valid_from").values_list(
            "procedure__code", "valid_from", "valid_to", "status", "name"
        )
    )


def test_dry_run_prints_the_plan_and_changes_nothing(demo, dvcqg, capsys):
    dossier = submit(demo["demo.citizen"])  # an open dossier under PROCEDURE
    dvcqg.control(procedures=national_list())
    before = snapshot()
    call_command("dvcqg_procedures")
    out = capsys.readouterr().out
    assert snapshot() == before
    assert "+ 9.000001" in out and "+ 9.000002" in out
    assert f"~ {RENAMED}  quốc gia: {NEW_NAME}" in out
    assert f"- {PROCEDURE}" in out and "1 hồ sơ đang giải quyết" in out and "không tự bãi bỏ" in out
    assert "--apply" in out
    plan = procedures_sync(valid_from=timezone.localdate())
    assert [item.open_dossiers for item in plan.abolished if item.code == dossier.procedure.code] == [1]


def test_apply_writes_drafts_only_and_a_second_run_changes_nothing(demo, dvcqg, capsys):
    dossier = submit(demo["demo.citizen"])
    dvcqg.control(procedures=national_list())
    in_force = version_of(RENAMED)
    old_name = in_force.name
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    plan = procedures_sync(valid_from=tomorrow)
    assert RENAMED in {r.code for r in plan.renames} and all(r.pending_draft is None for r in plan.renames)
    assert [code for code, _ in plan.imports] == ["9.000001", "9.000002"]
    call_command("dvcqg_procedures", "--apply")
    out = capsys.readouterr().out
    assert f"Đã tạo {len(plan.renames) + 2} bản nháp" in out

    # The rename: a draft from tomorrow, copied from the version in force; that one untouched.
    in_force.refresh_from_db()
    assert (in_force.status, in_force.name, in_force.valid_to) == ("active", old_name, None)
    draft = ProcedureVersion.objects.get(procedure__code=RENAMED, status="draft")
    assert (draft.name, draft.valid_from) == (NEW_NAME, tomorrow)
    assert draft.steps.count() == in_force.steps.count() > 0
    assert draft.documents.count() == in_force.documents.count()

    # The unknown procedures: drafts that nobody can apply for yet.
    province = ProcedureVersion.objects.get(procedure__code="9.000001")
    assert (province.status, province.level, province.all_commune_units) == ("draft", "province", False)
    assert province.agency_links.filter(role="receiving").count() == 1
    assert province.field.code == "HO-TICH" and "Cần bổ sung" in province.notes
    commune = ProcedureVersion.objects.get(procedure__code="9.000002")
    assert (commune.status, commune.level, commune.all_commune_units) == ("draft", "commune", True)
    assert commune.field.code == "LINH-VUC-MOI" and not commune.steps.exists()
    assert not ProcedureVersion.objects.in_force_on(tomorrow).filter(procedure__code__startswith="9.").exists()

    # Absent nationally, with an open dossier: flagged, still in force, the dossier unchanged.
    assert version_of(PROCEDURE).status == "active"
    dossier.refresh_from_db()
    assert dossier.procedure_version.status == "active"

    # Twice: nothing more is written.
    before = snapshot()
    call_command("dvcqg_procedures", "--apply")
    out = capsys.readouterr().out
    assert snapshot() == before
    assert "Đã tạo 0 bản nháp" in out and "đã có bản nháp chờ áp dụng" in out
    assert "+ 9.000001" not in out
    assert Procedure.objects.filter(code__startswith="9.").count() == 2

    # Once the administrator activates the draft (for tomorrow), it still is not re-planned.
    procedure_version_activate(version_id=draft.pk)
    plan = procedures_sync(valid_from=tomorrow, apply=True)
    assert plan.created == [] and not plan.to_do
    assert ProcedureVersion.objects.filter(procedure__code=RENAMED).count() == 2


def test_no_differences_and_bad_input(demo, dvcqg, capsys):
    dvcqg.control(procedures=[])  # an empty list: every procedure here is flagged, none is abolished
    before = snapshot()
    call_command("dvcqg_procedures", "--apply")
    assert snapshot() == before
    assert "Đã tạo 0 bản nháp" in capsys.readouterr().out
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("dvcqg_procedures", "--effective-from", "31/12/2026")
    with pytest.raises(CommandError, match="trước hôm nay"):
        call_command("dvcqg_procedures", "--effective-from", "2000-01-01")
    dvcqg.control(mode="down")
    with pytest.raises(CommandError):
        call_command("dvcqg_procedures", "--apply")
    assert snapshot() == before
