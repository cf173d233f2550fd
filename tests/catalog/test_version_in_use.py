"""A dossier keeps the rules it was received under: its procedure version can no longer change."""

import copy
import io

import pytest
from django.core.management import call_command
from django.test import Client

from motcua.accounts.models import User
from motcua.catalog.eforms import form_example
from motcua.catalog.interchange import CatalogImportError
from motcua.catalog.seed import load_seed_document
from motcua.catalog.selectors import procedure_version_in_force, version_in_use
from motcua.catalog.services import catalog_import
from motcua.dossiers.files import file_store
from motcua.dossiers.services import dossier_submit

pytestmark = pytest.mark.django_db
CODE = "1.014200"


@pytest.fixture
def version_with_dossier(db):
    call_command("seed_demo", verbosity=0)
    version = procedure_version_in_force(code=CODE)
    assert not version_in_use(version)
    citizen = User.objects.get(username="demo.citizen")
    pdf = file_store(owner=citizen, name="a.pdf", stream=io.BytesIO(b"%PDF-1.4\n%%EOF\n"))
    documents = [
        {"requirement_code": d.code, "file_id": pdf.pk}
        for d in version.documents.all()
        if d.required and not d.state_data_source
    ]
    dossier_submit(actor=citizen, procedure_code=CODE, form=form_example(version.form_schema), documents=documents)
    assert version_in_use(version)
    return version


def _seed_with(change):
    document = copy.deepcopy(load_seed_document())
    for item in document["procedures"]:
        if item["code"] == CODE:
            change(item)
    return document


def test_import_cannot_rewrite_a_version_in_use_and_writes_nothing(version_with_dossier):
    document = _seed_with(lambda item: item.update(name=item["name"] + " (sửa đổi)"))
    with pytest.raises(CatalogImportError) as error:
        catalog_import(documents=[("changed.json", document)])
    assert any(CODE in message and "phiên bản mới" in message for message in error.value.errors)
    version_with_dossier.refresh_from_db()
    assert not version_with_dossier.name.endswith("(sửa đổi)")


def test_import_of_the_same_file_still_changes_nothing(version_with_dossier):
    result = catalog_import(documents=[("same.json", load_seed_document())])
    assert not result.updated and not result.created


def test_admin_shows_a_version_in_use_read_only(version_with_dossier):
    client = Client()
    client.force_login(User.objects.get(username="demo.admin"))
    url = f"/quan-tri/catalog/procedureversion/{version_with_dossier.pk}/change/"
    html = client.get(url).content.decode()
    assert 'name="processing_days"' not in html  # shown as text, not as an input
    assert 'name="valid_to"' in html  # it can still be closed
