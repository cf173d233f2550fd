"""Demo data and a dossier submitter for the integration tests."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from motcua.accounts.models import User
from motcua.catalog.eforms import form_example
from motcua.catalog.models import ProcedureVersion
from motcua.core.models import OutboxMessage
from motcua.dossiers.files import file_store
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_submit

# The marital-status certificate: full online, population_db prefills, no fee.
PROCEDURE = "1.004873"


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", verbosity=0)
    return {user.username: user for user in User.objects.filter(username__startswith="demo.")}


def version_of(code: str = PROCEDURE) -> ProcedureVersion:
    return ProcedureVersion.objects.filter(procedure__code=code, status="active", valid_to__isnull=True).get()


def documents_for(user: User, version: ProcedureVersion) -> list[dict]:
    pdf = file_store(owner=user, name="giay-to.pdf", stream=io.BytesIO(b"%PDF-1.4\n%%EOF\n"))
    return [
        {"requirement_code": doc.code, "file_id": pdf.pk}
        for doc in version.documents.all()
        if doc.required and not doc.state_data_source
    ]


def submit(user: User, code: str = PROCEDURE) -> Dossier:
    version = version_of(code)
    dossier, created = dossier_submit(
        actor=user,
        procedure_code=code,
        form=form_example(version.form_schema),
        documents=documents_for(user, version),
    )
    assert created
    return dossier


def make_due(**filters) -> int:
    """Skip the backoff wait of matching pending messages (what the clock would do)."""
    return OutboxMessage.objects.filter(state="pending", **filters).update(available_at=timezone.now())
