"""What MotCua does with the national portal: push every change, pull dossiers filed there,
compare the procedure lists.

* `push_change` is the `dossier.changed` subscriber "dvcqg" (registered in
  `IntegrationsConfig.ready`). The outbox calls it once per change with the key
  `dossier:<code>:v<version>:dvcqg`, which travels as the Idempotency-Key: a retry after a
  timeout, or after a worker was killed mid-send, is dropped by the portal. It sends the
  dossier as it is now with its version, plus the progress entry of the change itself, so a
  late retry never rolls the portal's copy back.
* `dvcqg_pull` files each dossier submitted at the portal through `dossier_submit` with the
  idempotency key `dvcqg:<MaHoSoQG>`, then acknowledges it: a pull interrupted anywhere is
  simply repeated and files nothing twice.
* `procedures_compare` reports the differences between the national list and the catalogue.
"""

import hashlib
import io
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import ApplicantProfile, OfficerMembership, User
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.core.errors import DomainError
from motcua.dossiers.files import file_store
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import dossier_submit
from motcua.integrations import dvcqg
from motcua.integrations.dvcqg.mapping import MappingError, NationalDossier, dossier_to_wire, progress_to_wire
from motcua.integrations.errors import IntegrationError

logger = logging.getLogger(__name__)
SUBSCRIBER = "dvcqg"


# --- push -------------------------------------------------------------------------------------


def _load(code: str) -> Dossier:
    return (
        Dossier.objects.select_related("procedure", "procedure_version__field", "current_agency")
        .prefetch_related("documents__file", "due_changes", "invoices")
        .get(code=code)
    )


def push_change(payload: dict[str, Any], key: str) -> None:
    """Send one dossier change to the national portal (the outbox retries on any error)."""
    dossier = _load(payload["code"])
    version = int(payload.get("version") or dossier.version)
    event = DossierEvent.objects.filter(dossier=dossier, seq=version).first()
    progress = None
    if event is not None:
        title = ""
        if event.actor_id is not None:
            membership = (
                OfficerMembership.objects.filter(user_id=event.actor_id, agency__code=event.agency_code)
                .exclude(title="")
                .first()
            )
            title = membership.title if membership else ""
        progress = progress_to_wire(dossier, event, title=title)
    dvcqg.push(hoso=dossier_to_wire(dossier), progress=progress, version=dossier.version, key=key)


# --- pull -------------------------------------------------------------------------------------


@dataclass
class PullReport:
    created: list[str] = field(default_factory=list)  # MotCua codes of dossiers filed now
    existing: list[str] = field(default_factory=list)  # filed by an earlier pull, acknowledged now
    failed: list[tuple[str, str]] = field(default_factory=list)  # (national code, why)


def _applicant(item: NationalDossier) -> User:
    """The citizen's account, found by personal ID or opened for them (they signed in to the
    national portal with VNeID, so the identity is verified)."""
    profile = ApplicantProfile.objects.select_related("user").filter(id_number=item.id_number).first()
    if profile is not None:
        return profile.user
    digest = hashlib.sha256(item.id_number.encode()).hexdigest()[:16]
    user = User.objects.create_user(
        username=f"vneid.{digest}",
        password=None,
        kind=User.Kind.CITIZEN,
        full_name=item.applicant_name,
        email=item.email,
        phone=item.phone,
    )
    ApplicantProfile.objects.create(
        user=user,
        kind=ApplicantProfile.Kind.PERSON,
        id_number=item.id_number,
        name=item.applicant_name,
        date_of_birth=item.date_of_birth,
        gender=item.gender,
        address=item.address,
        verified_at=timezone.now(),
        verification_source=ApplicantProfile.VerificationSource.VNEID,
    )
    return user


def _file(item: NationalDossier) -> tuple[Dossier, bool]:
    with transaction.atomic():
        owner = _applicant(item)
        key = f"dvcqg:{item.national_code}"
        existing = Dossier.objects.filter(applicant=owner, idempotency_key=key).first()
        if existing is not None:
            return existing, False
        documents = []
        for document in item.documents:
            stored = file_store(owner=owner, name=document.file_name, stream=io.BytesIO(document.content))
            documents.append({"requirement_code": document.requirement_code, "file_id": stored.pk})
        return dossier_submit(
            actor=owner,
            procedure_code=item.procedure_code,
            form=item.form,
            documents=documents,
            idempotency_key=key,
            agency_code=item.agency_code or None,
        )


def dvcqg_pull() -> PullReport:
    """File the dossiers submitted at the national portal; raises IntegrationUnavailable if it is down."""
    report = PullReport()
    for item in dvcqg.fetch_submitted():
        if isinstance(item, MappingError):
            report.failed.append(("?", str(item)))
            continue
        try:
            dossier, created = _file(item)
        except DomainError as error:
            # Stays in the portal's inbox; an officer sees it in the report and the log.
            logger.warning("national dossier %s not filed: %s", item.national_code, error.detail)
            report.failed.append((item.national_code, error.detail))
            continue
        dvcqg.acknowledge(national_code=item.national_code, code=dossier.code)
        (report.created if created else report.existing).append(dossier.code)
    return report


# --- procedure list ---------------------------------------------------------------------------


@dataclass
class ProcedureDifferences:
    missing_here: list[tuple[str, str]] = field(default_factory=list)  # national (code, name) not in the catalogue
    only_here: list[tuple[str, str]] = field(default_factory=list)  # catalogue (code, name) not on the national list
    renamed: list[tuple[str, str, str]] = field(default_factory=list)  # (code, national name, catalogue name)

    @property
    def any(self) -> bool:
        return bool(self.missing_here or self.only_here or self.renamed)


def _base_code(code: str) -> str:
    # Provinces may append their agency code to the national one (1.000494.000.00.00.H29).
    return ".".join(code.split(".")[:2])


def procedures_compare() -> ProcedureDifferences:
    """Compare the national procedure list with the catalogue's procedures in force today."""
    national = {p.code: p for p in dvcqg.fetch_procedures()}
    today = timezone.localdate()
    ours: dict[str, str] = {}
    versions = (
        ProcedureVersion.objects.filter(status="active", valid_from__lte=today)
        .exclude(valid_to__lt=today)
        .select_related("procedure")
        .order_by("procedure__code", "valid_from")
    )
    for version in versions:
        ours[_base_code(version.procedure.code)] = version.name
    known = set(Procedure.objects.values_list("code", flat=True))
    known_base = {_base_code(code) for code in known}
    differences = ProcedureDifferences()
    for code, procedure in sorted(national.items()):
        if code not in known_base:
            differences.missing_here.append((code, procedure.name))
        elif code in ours and ours[code] != procedure.name:
            differences.renamed.append((code, procedure.name, ours[code]))
    for code, name in sorted(ours.items()):
        if code not in national:
            differences.only_here.append((code, name))
    return differences


def dvcqg_pull_periodic() -> int:
    """The periodic pull (run_periodic): how many dossiers were filed; a portal that is down
    is logged and tried again next time, never an error of the loop."""
    try:
        report = dvcqg_pull()
    except IntegrationError as error:
        logger.warning("national portal pull skipped: %s", error.extra.get("reason") or error.detail)
        return 0
    return len(report.created)
