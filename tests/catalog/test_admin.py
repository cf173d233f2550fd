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
