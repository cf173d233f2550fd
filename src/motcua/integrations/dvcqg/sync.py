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
* `procedures_compare` reports the differences between the national list and the catalogue;
  `procedures_sync` plans (and with `apply=True` applies) what the catalogue does about them,
  through the catalogue's own services and never touching a version in force:
  - a procedure renamed nationally gets a new DRAFT version with the national name, effective
    from a given day, for an administrator to check and activate (`procedure_version_activate`);
    while a later version (that draft, or one activated for a future day) exists, nothing more
    is created for that procedure;
  - a national procedure the catalogue does not know is imported as a draft (placeholders for
    what the national list does not carry: deadline, documents, steps), to be completed;
  - a procedure in force here but absent from the national list is only flagged, with its number
    of open dossiers: the national list may be a partial slice, and abolishing is a decision.
  Running it again after applying changes nothing.
"""

import datetime as dt
import hashlib
import io
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from motcua.accounts.models import ApplicantProfile, OfficerMembership, User
from motcua.catalog.models import Level, Procedure, ProcedureVersion, Status
from motcua.catalog.services import procedure_draft_import, procedure_version_create
from motcua.core.errors import DomainError
from motcua.core.text import normalize
from motcua.directory.models import Agency
from motcua.dossiers.files import file_store
from motcua.dossiers.lifecycle import OPEN
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import dossier_submit
from motcua.integrations import dvcqg
from motcua.integrations.dvcqg.mapping import (
    MappingError,
    NationalDossier,
    NationalProcedure,
    dossier_to_wire,
    progress_to_wire,
)
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


@dataclass
class Rename:
    code: str  # the catalogue's code (may carry a provincial suffix)
    national_name: str
    current_name: str
    pending_draft: str | None = None  # name of the next version already prepared (draft or scheduled)


@dataclass
class Abolished:
    code: str
    name: str
    open_dossiers: int


@dataclass
class ProcedureSync:
    valid_from: dt.date
    applied: bool = False
    renames: list[Rename] = field(default_factory=list)
    imports: list[tuple[str, str]] = field(default_factory=list)  # national (code, name) to import as drafts
    abolished: list[Abolished] = field(default_factory=list)  # in force here, absent nationally
    created: list[str] = field(default_factory=list)  # "code@valid_from" of each draft written now
    failed: list[tuple[str, str]] = field(default_factory=list)  # (code, why)

    @property
    def to_do(self) -> bool:
        """Whether applying would write anything."""
        return bool(self.imports or any(r.pending_draft is None for r in self.renames))


def _level(national: NationalProcedure) -> str:
    text = national.level.casefold()
    return Level.COMMUNE if any(word in text for word in ("xã", "phường", "đặc khu")) else Level.PROVINCE


def _receiving(level: str) -> tuple[list[str], bool]:
    """Where an imported draft is received until the administrator says otherwise."""
    if level == Level.COMMUNE:
        return [], True
    agency = (
        Agency.objects.filter(level__in=[Agency.Level.CENTRE, Agency.Level.PROVINCE])
        .order_by("-level", "code")  # the public-service centre first
        .values_list("code", flat=True)
        .first()
    )
    return ([agency], False) if agency else ([], True)


def procedures_sync(*, valid_from: dt.date, apply: bool = False) -> ProcedureSync:
    """Plan the catalogue's answer to the national list; with `apply`, write the drafts."""
    national = {p.code: p for p in dvcqg.fetch_procedures()}
    today = timezone.localdate()
    in_force = list(
        ProcedureVersion.objects.filter(status=Status.ACTIVE, valid_from__lte=today)
        .exclude(valid_to__lt=today)
        .select_related("procedure")
        .order_by("procedure__code", "valid_from")
    )
    current: dict[str, ProcedureVersion] = {}
    for version in in_force:
        current[version.procedure.code] = version  # the latest in force wins
    # A draft, or a version activated but not yet in force, already prepares the next change.
    upcoming: dict[int, ProcedureVersion] = {}
    # A draft stays pending (whatever its date) until an administrator activates or deletes it.
    for later in (
        ProcedureVersion.objects.filter(procedure__code__in=list(current))
        .filter(Q(status=Status.DRAFT) | Q(status=Status.ACTIVE, valid_from__gt=today))
        .order_by("valid_from")
    ):
        upcoming[later.procedure_id] = later
    known_base = {_base_code(code) for code in Procedure.objects.values_list("code", flat=True)}
    plan = ProcedureSync(valid_from=valid_from)
    for code, version in sorted(current.items()):
        item = national.get(_base_code(code))
        if item is None:
            continue
        if normalize(item.name) != normalize(version.name):
            waiting = upcoming.get(version.procedure_id)
            waiting = waiting if waiting is not None and waiting.valid_from > version.valid_from else None
            plan.renames.append(Rename(code, item.name, version.name, waiting.name if waiting else None))
    for code, item in sorted(national.items()):
        if code not in known_base:
            plan.imports.append((code, item.name))
    absent = {code: version for code, version in current.items() if _base_code(code) not in national}
    counts = dict(
        Dossier.objects.filter(procedure__code__in=list(absent), status__in=[s.value for s in OPEN])
        .values_list("procedure__code")
        .annotate(n=Count("pk"))
        .values_list("procedure__code", "n")
    )
    plan.abolished = [Abolished(code, v.name, counts.get(code, 0)) for code, v in sorted(absent.items())]
    if apply:
        _apply(plan, national)
    return plan


def _apply(plan: ProcedureSync, national: dict[str, NationalProcedure]) -> None:
    note = f"Đồng bộ từ Cổng Dịch vụ công quốc gia ngày {timezone.localdate():%d/%m/%Y}."
    for rename in plan.renames:
        if rename.pending_draft is not None:
            continue
        try:
            with transaction.atomic():
                version = procedure_version_create(
                    procedure_code=rename.code,
                    valid_from=plan.valid_from,
                    changes={"status": Status.DRAFT, "name": rename.national_name},
                )
        except DomainError as error:
            plan.failed.append((rename.code, error.detail))
            continue
        plan.created.append(f"{rename.code}@{version.valid_from.isoformat()}")
    for code, name in plan.imports:
        item = national[code]
        level = _level(item)
        receiving, all_units = _receiving(level)
        try:
            with transaction.atomic():
                version = procedure_draft_import(
                    procedure_code=code,
                    name=name,
                    field_code=item.field_code or "KHAC",
                    level=level,
                    valid_from=plan.valid_from,
                    receiving=receiving,
                    all_commune_units=all_units,
                    source="Cổng Dịch vụ công quốc gia",
                    notes=note
                    + " Cần bổ sung: thời hạn giải quyết, cơ quan, giấy tờ, phí, quy trình nội bộ; rồi áp dụng.",
                )
        except DomainError as error:
            plan.failed.append((code, error.detail))
            continue
        plan.created.append(f"{code}@{version.valid_from.isoformat()}")
    plan.applied = True


def dvcqg_pull_periodic() -> int:
    """The periodic pull (run_periodic): how many dossiers were filed; a portal that is down
    is logged and tried again next time, never an error of the loop."""
    try:
        report = dvcqg_pull()
    except IntegrationError as error:
        logger.warning("national portal pull skipped: %s", error.extra.get("reason") or error.detail)
        return 0
    return len(report.created)
