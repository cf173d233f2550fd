"""The admin: versions with inlines, schema validation, step budgets that must add up."""

import pytest
from django.forms import inlineformset_factory
from django.urls import reverse

from motcua.accounts.models import User
from motcua.catalog.admin import ProcedureVersionForm, StepFormSet
from motcua.catalog.models import ProcedureVersion, ProcessStep

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, seeded):
    user = User.objects.create_superuser("catalog-admin", "admin@example.vn", "x-catalog-2026")
    client.force_login(user)
    return client


def test_version_change_page_with_inlines(admin_client):
    version = ProcedureVersion.objects.get(procedure__code="1.001193")
    response = admin_client.get(reverse("admin:catalog_procedureversion_change", args=[version.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thành phần hồ sơ" in html or "thành phần hồ sơ" in html
    assert "quy trình nội bộ" in html.lower()


def test_schema_without_examples_is_refused(seeded):
    version = ProcedureVersion.objects.get(procedure__code="1.001193")
    schema = dict(version.form_schema)
    schema["properties"] = {**schema["properties"], "ghi_chu": {"type": "string", "title": "Ghi chú"}}
    data = {f: getattr(version, f) for f in ProcedureVersionForm.Meta.fields}
    data.update(procedure=version.procedure_id, field=version.field_id, form_schema=schema)
    form = ProcedureVersionForm(data=data, instance=version)
    assert not form.is_valid()
    assert "ghi_chu: thiếu giá trị ví dụ (examples)" in str(form.errors["form_schema"])


def test_steps_must_add_up(seeded):
    version = ProcedureVersion.objects.get(procedure__code="1.001193")
    formset_class = inlineformset_factory(
        ProcedureVersion, ProcessStep, formset=StepFormSet, fields=["order", "name", "role", "hours"], extra=0
    )
    steps = list(version.steps.all())
    data = {"steps-TOTAL_FORMS": str(len(steps)), "steps-INITIAL_FORMS": str(len(steps))}
    for i, step in enumerate(steps):
        data.update(
            {
                f"steps-{i}-id": step.pk,
                f"steps-{i}-order": step.order,
                f"steps-{i}-name": step.name,
                f"steps-{i}-role": step.role,
                f"steps-{i}-hours": str(step.hours),
            }
        )
    assert formset_class(data=data, instance=version, prefix="steps").is_valid()
    data["steps-0-hours"] = "3"
    formset = formset_class(data=data, instance=version, prefix="steps")
    assert not formset.is_valid()
    assert "phải bằng thời hạn giải quyết 8 giờ" in str(formset.non_form_errors())


def test_new_version_action_keeps_the_version_in_force_until_the_draft_is_activated(admin_client):
    import datetime as dt

    from django.utils import timezone

    from motcua.catalog.selectors import procedure_version_in_force, procedure_versions

    old = ProcedureVersion.objects.get(procedure__code="2.000884")
    changelist = reverse("admin:catalog_procedureversion_changelist")
    response = admin_client.post(changelist, {"action": "make_new_version", "_selected_action": [old.pk]}, follow=True)
    assert response.status_code == 200
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    old.refresh_from_db()
    draft = procedure_versions(code="2.000884")[-1]
    assert (draft.status, draft.valid_from) == ("draft", tomorrow)
    assert old.valid_to is None
    assert procedure_version_in_force(code="2.000884", on=tomorrow + dt.timedelta(days=30)).pk == old.pk

    response = admin_client.post(changelist, {"action": "activate_drafts", "_selected_action": [draft.pk]}, follow=True)
    assert response.status_code == 200
    old.refresh_from_db()
    draft.refresh_from_db()
    assert draft.status == "active"
    assert old.valid_to == today
    assert procedure_version_in_force(code="2.000884", on=today).pk == old.pk
    assert procedure_version_in_force(code="2.000884", on=tomorrow).pk == draft.pk


def test_a_draft_cannot_be_put_in_force_from_a_day_already_past(seeded):
    import datetime as dt

    from django.utils import timezone

    from motcua.catalog.services import procedure_version_create

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    draft = procedure_version_create(procedure_code="2.001019", valid_from=yesterday, changes={"status": "draft"})
    data = {f: getattr(draft, f) for f in ProcedureVersionForm.Meta.fields}
    data.update(procedure=draft.procedure_id, field=draft.field_id, status="active")
    form = ProcedureVersionForm(data=data, instance=draft)
    assert not form.is_valid()
    assert "từ hôm nay trở đi" in str(form.errors["valid_from"])
    data["valid_from"] = timezone.localdate()
    assert ProcedureVersionForm(data=data, instance=draft).is_valid()


def test_setting_a_draft_active_in_the_change_form_closes_the_previous_version(seeded, rf):
    import datetime as dt
    from types import SimpleNamespace

    from django.contrib import admin as django_admin

    from motcua.catalog.admin import ProcedureVersionAdmin
    from motcua.catalog.selectors import procedure_version_in_force
    from motcua.catalog.services import procedure_version_create

    old = procedure_version_in_force(code="1.003677", on=dt.date(2027, 8, 1))
    draft = procedure_version_create(
        procedure_code="1.003677", valid_from=dt.date(2027, 9, 1), changes={"status": "draft"}
    )
    draft.status = "active"
    model_admin = ProcedureVersionAdmin(ProcedureVersion, django_admin.site)
    model_admin.save_model(rf.post("/"), draft, SimpleNamespace(changed_data=["status"]), True)
    old.refresh_from_db()
    assert old.valid_to == dt.date(2027, 8, 31)
    assert procedure_version_in_force(code="1.003677", on=dt.date(2027, 9, 1)).pk == draft.pk
