"""Demo dossiers for `make run`: something in every officer's queue and in the citizens' lists.

Each is filed and moved through the real services (the log, the forms and the signatures are
genuine). Idempotent: a dossier already filed under its demo key is left as it is.
"""

from dataclasses import dataclass

from motcua.accounts.models import User
from motcua.catalog.eforms import form_example
from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.files import file_store_generated
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_act, dossier_submit

# A tiny but valid one-page PDF: the "scan" every demo dossier carries.
_DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass(frozen=True)
class DemoDossier:
    key: str  # the idempotency key it is filed under
    applicant: str
    # Lifecycle actions after submission, each (actor username, action, note); the action
    # "forward_to" hands the dossier on, step by step, until a step of the role in `note`.
    steps: tuple[tuple[str, str, str], ...]


_RECEIVE = ("demo.receiver", "receive", "")
_ASSIGN = ("demo.receiver", "assign", "")
_TO_SPECIALIST = ("", "forward_to", "specialist")
_TO_LEADER = ("", "forward_to", "leader")
_BY_ROLE = {"receiver": "demo.receiver", "specialist": "demo.specialist", "leader": "demo.leader"}
DEMO_DOSSIERS = (
    DemoDossier("demo-waiting", "demo.citizen", ()),
    DemoDossier("demo-waiting-2", "demo.citizen2", ()),
    DemoDossier("demo-processing", "demo.citizen", (_RECEIVE, _ASSIGN, _TO_SPECIALIST)),
    DemoDossier(
        "demo-supplement",
        "demo.citizen",
        (_RECEIVE, ("demo.receiver", "request_supplement", "Bản chụp tờ khai bị mờ, xin gửi lại bản rõ nét.")),
    ),
    DemoDossier("demo-to-approve", "demo.citizen2", (_RECEIVE, _ASSIGN, _TO_LEADER)),
    DemoDossier(
        "demo-returned",
        "demo.citizen",
        (
            _RECEIVE,
            _ASSIGN,
            _TO_LEADER,
            ("demo.leader", "approve", ""),
            ("demo.leader", "resolve", ""),
            ("demo.receiver", "return_result", ""),
        ),
    ),
)


def _demo_version() -> ProcedureVersion | None:
    """A full-online procedure of the demo officers' department, the same every run."""
    return (
        ProcedureVersion.objects.filter(
            online_mode="full",
            status="active",
            valid_to__isnull=True,
            agency_links__role="receiving",
            agency_links__agency__memberships__user__username="demo.receiver",
        )
        .order_by("procedure__code")
        .first()
    )


def seed_demo_dossiers() -> int:
    """File the demo dossiers that do not exist yet; returns how many were filed."""
    version = _demo_version()
    if version is None:
        return 0
    users = {user.username: user for user in User.objects.filter(username__startswith="demo.")}
    filed = 0
    for spec in DEMO_DOSSIERS:
        applicant = users[spec.applicant]
        if Dossier.objects.filter(applicant=applicant, idempotency_key=spec.key).exists():
            continue
        dossier = _submit(version, applicant, spec.key)
        for username, action, note in spec.steps:
            if action == "forward_to":
                dossier = _forward_to(dossier, role=note, users=users)
                continue
            dossier = dossier_act(
                actor=users[username], code=dossier.code, action=action, version=dossier.version, note=note
            )
        filed += 1
    return filed


def _forward_to(dossier: Dossier, *, role: str, users: dict[str, User]) -> Dossier:
    roles = list(dossier.procedure_version.steps.values_list("role", flat=True))
    while 0 <= dossier.step_index < len(roles) - 1 and roles[dossier.step_index] != role:
        actor = users[_BY_ROLE[roles[dossier.step_index]]]
        note = "Đã xử lý xong bước này, chuyển bước tiếp theo."
        dossier = dossier_act(actor=actor, code=dossier.code, action="forward", version=dossier.version, note=note)
    return dossier


def _submit(version: ProcedureVersion, applicant: User, key: str) -> Dossier:
    documents = []
    for requirement in version.documents.filter(required=True, state_data_source=""):
        scan = file_store_generated(owner=applicant, name=f"{requirement.code}.pdf", content=_DEMO_PDF)
        documents.append({"requirement_code": requirement.code, "file_id": scan.pk})
    dossier, _ = dossier_submit(
        actor=applicant,
        procedure_code=version.procedure.code,
        form=form_example(version.form_schema),
        documents=documents,
        idempotency_key=key,
    )
    return dossier
