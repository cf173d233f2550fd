"""A small procedure and a dossier driven through the real services (forms and tracking tests).

`dossier_flow` gives a procedure version with three internal steps and a required
document, received by a department under the City People's Committee, with a receiver,
a specialist and a leader; its `submit()` files a dossier through `dossier_submit` and its
`act()` drives it with `dossier_act`, at explicit times so due dates are predictable.
"""

import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from motcua.accounts.models import User
from motcua.catalog.models import Field, Procedure, ProcedureAgency, ProcedureVersion, ProcessStep, RequiredDocument
from motcua.core.timeutil import VN_TZ
from motcua.directory.models import Agency
from motcua.dossiers import files
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_act, dossier_submit
from tests.factories import make_agency

# Monday 7/9/2026, 09:00 in Ho Chi Minh City: an ordinary working week with no holiday.
MONDAY = datetime(2026, 9, 7, 9, 0, tzinfo=VN_TZ)
FLOW_PROCEDURE_CODE = "9.900001"
FLOW_STEPS: tuple[tuple[str, str, int], ...] = (
    ("Thẩm định hồ sơ", "specialist", 16),
    ("Dự thảo kết quả, trình ký", "specialist", 16),
    ("Lãnh đạo phê duyệt, ký kết quả", "leader", 8),
)


def at(days: int = 0, hours: float = 0) -> datetime:
    """A moment relative to MONDAY 09:00 (calendar time, not working time)."""
    return MONDAY + timedelta(days=days, hours=hours)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Generated PDFs and uploads go to a throwaway directory, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://dichvucong.example.vn"


@pytest.fixture
def city(db) -> Agency:
    return make_agency(code="000.00.00.H29", name="Ủy ban nhân dân Thành phố Hồ Chí Minh", level="province")


@pytest.fixture
def flow_version(agency: Agency, city: Agency) -> ProcedureVersion:
    """Three internal steps adding up to 5 working days, one uploaded document, one taken from state data."""
    agency.parent = city
    agency.address = "86 Lê Thánh Tôn, phường Sài Gòn, Thành phố Hồ Chí Minh"
    agency.phone = "028 3829 6052"
    agency.save()
    field_, _ = Field.objects.get_or_create(code="viec_lam", defaults={"name": "Việc làm"})
    procedure = Procedure.objects.create(code=FLOW_PROCEDURE_CODE)
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        valid_from=date(2025, 7, 1),
        name="Cấp giấy phép lao động cho người lao động nước ngoài",
        field=field_,
        level="province",
        online_mode="full",
        processing_days=5,
        result_type="electronic",
        result_name="Giấy phép lao động",
        form_schema={"type": "object", "properties": {"ghi_chu": {"type": "string", "title": "Ghi chú"}}},
    )
    ProcedureAgency.objects.create(version=version, agency=agency, role=ProcedureAgency.Role.RECEIVING)
    RequiredDocument.objects.create(version=version, order=1, code="TO_KHAI", name="Tờ khai đề nghị cấp giấy phép")
    RequiredDocument.objects.create(
        version=version, order=2, code="CCCD", name="Căn cước công dân", state_data_source="population_db"
    )
    for order, (name, role, hours) in enumerate(FLOW_STEPS, start=1):
        ProcessStep.objects.create(version=version, order=order, name=name, role=role, hours=hours)
    return version


@dataclass
class DossierFlow:
    version: ProcedureVersion
    agency: Agency
    citizen: User
    receiver: User
    specialist: User
    leader: User
    code: str = ""
    history: list[str] = field(default_factory=list)

    def submit(self, *, when: datetime = MONDAY) -> Dossier:
        upload = files.file_store(
            owner=self.citizen, name="to-khai.pdf", stream=io.BytesIO(b"%PDF-1.4\n% to khai\n%%EOF\n")
        )
        dossier, created = dossier_submit(
            actor=self.citizen,
            procedure_code=self.version.procedure.code,
            form={"ghi_chu": "Nộp thử"},
            documents=[{"requirement_code": "TO_KHAI", "file_id": upload.pk}],
            now=when,
        )
        assert created
        self.code = dossier.code
        self.history.append("submit")
        return dossier

    @property
    def dossier(self) -> Dossier:
        return Dossier.objects.get(code=self.code)

    def act(self, actor: User, action: str, *, when: datetime, note: str = "", **params: Any) -> Dossier:
        dossier_act(
            actor=actor,
            code=self.code,
            action=action,
            version=self.dossier.version,
            note=note,
            params=params,
            now=when,
        )
        self.history.append(action)
        return self.dossier

    def run_to_resolved(self) -> Dossier:
        """Receive Monday; step 1 finishes late (Thursday), steps 2 and 3 on time; resolved Friday."""
        self.act(self.receiver, "receive", when=at(hours=0.25))
        self.act(self.receiver, "assign", when=at(hours=1))
        self.act(self.specialist, "forward", when=at(days=3))  # step 1 had 16 h: due Wednesday 10:00
        self.act(self.specialist, "forward", when=at(days=3, hours=5))
        self.act(self.leader, "approve", when=at(days=4, hours=-1))
        return self.act(self.leader, "resolve", when=at(days=4, hours=-0.5))


@pytest.fixture
def dossier_flow(flow_version, agency, citizen, receiver, specialist, leader) -> DossierFlow:
    """A submitted dossier (status 1) of `flow_version`, filed by `citizen` on Monday 09:00."""
    citizen.email = "nguyen.van.an@example.vn"
    citizen.phone = "0901234567"
    citizen.save()
    citizen.profile.address = "12 Nguyễn Huệ, phường Sài Gòn, Thành phố Hồ Chí Minh"
    citizen.profile.save()
    for officer, name in ((receiver, "Lê Thị Thu"), (specialist, "Phạm Quốc Việt"), (leader, "Võ Minh Đức")):
        officer.full_name = name
        officer.save()
    flow = DossierFlow(
        version=flow_version, agency=agency, citizen=citizen, receiver=receiver, specialist=specialist, leader=leader
    )
    flow.submit()
    return flow
