"""The demo accounts of `seed_demo` (demo.receiver, demo.specialist, demo.leader of Sở Nội vụ;
demo.ward.receiver of Phường Bến Thành) and a Home Affairs procedure received at the counter."""

import io
from dataclasses import dataclass

import pytest
from django.core.management import call_command

from motcua.accounts.models import User
from motcua.catalog.eforms import form_example
from motcua.catalog.models import ProcedureVersion
from motcua.directory.seed import HOME_AFFAIRS_CODE
from motcua.dossiers import files
from motcua.dossiers.models import Channel, Dossier
from motcua.dossiers.services import dossier_act, dossier_submit

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PROCEDURE_CODE = "1.001978"  # Giải quyết hưởng trợ cấp thất nghiệp, received by Sở Nội vụ


@dataclass
class Office:
    receiver: User
    specialist: User
    leader: User
    ward_receiver: User
    citizen: User
    admin: User
    version: ProcedureVersion


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def office(db) -> Office:
    call_command("seed_demo", verbosity=0)
    users = {user.username: user for user in User.objects.filter(username__startswith="demo.")}
    version = ProcedureVersion.objects.in_force_on(__import__("datetime").date.today()).get(
        procedure__code=PROCEDURE_CODE
    )
    return Office(
        receiver=users["demo.receiver"],
        specialist=users["demo.specialist"],
        leader=users["demo.leader"],
        ward_receiver=users["demo.ward.receiver"],
        citizen=users["demo.citizen"],
        admin=users["demo.admin"],
        version=version,
    )


def counter_dossier(office: Office, *, receive: bool = True, when=None, applicant: User | None = None) -> Dossier:
    """A paper dossier filed by demo.receiver for demo.citizen, received (status 2) by default."""
    documents = []
    for requirement in office.version.documents.filter(required=True, state_data_source=""):
        stored = files.file_store(owner=office.receiver, name=f"{requirement.code}.pdf", stream=io.BytesIO(PDF))
        documents.append({"requirement_code": requirement.code, "file_id": stored.pk, "digitised": True})
    dossier, _ = dossier_submit(
        actor=office.receiver,
        applicant=applicant or office.citizen,
        procedure_code=PROCEDURE_CODE,
        form=form_example(office.version.form_schema),
        documents=documents,
        channel=Channel.IN_PERSON,
        agency_code=HOME_AFFAIRS_CODE,
        now=when,
    )
    if receive:
        dossier = dossier_act(
            actor=office.receiver, code=dossier.code, action="receive", version=dossier.version, now=when
        )
    return dossier
