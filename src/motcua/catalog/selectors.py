"""Reads of the catalogue. The catalogue is public: no selector here needs an acting user."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch

from motcua.catalog import search as search_engine
from motcua.catalog.interchange import catalog_export as _catalog_export
from motcua.catalog.models import (
    COMMUNE_LEVELS,
    Field,
    Level,
    OnlineMode,
    ProcedureAgency,
    ProcedureVersion,
    ProcessStep,
)
from motcua.core.errors import BadInput, NotFound
from motcua.core.text import fold
from motcua.core.timeutil import local_date
from motcua.directory.models import Agency

ProcedureHit = search_engine.ProcedureHit


def _today() -> date:
    from django.utils import timezone

    return local_date(timezone.now())


def procedure_version_in_force(*, code: str, on: date | None = None) -> ProcedureVersion:
    """The version of procedure `code` in force (status active) on `on` (default: today, Vietnam time).

    A dossier stores this version when it is received. Raises NotFound when the procedure
    does not exist or has no version in force that day (draft, abolished, not yet effective).
    """
    day = on or _today()
    version = (
        ProcedureVersion.objects.in_force_on(day)
        .select_related("procedure", "field")
        .filter(procedure__code=code)
        .order_by("-valid_from")
        .first()
    )
    if version is None:
        raise NotFound(f"Không tìm thấy thủ tục mã {code} đang áp dụng.")
    return version


def procedure_detail(*, code: str, on: date | None = None) -> ProcedureVersion:
    """The version in force with documents, fees, steps and agencies loaded (for pages and the API)."""
    day = on or _today()
    version = (
        ProcedureVersion.objects.in_force_on(day)
        .filter(procedure__code=code)
        .select_related("procedure", "field")
        .prefetch_related(
            "documents",
            "fees",
            Prefetch("steps", queryset=ProcessStep.objects.select_related("agency")),
            Prefetch("agency_links", queryset=ProcedureAgency.objects.select_related("agency")),
        )
        .order_by("-valid_from")
        .first()
    )
    if version is None:
        raise NotFound(f"Không tìm thấy thủ tục mã {code} đang áp dụng.")
    return version


def procedure_versions(*, code: str) -> list[ProcedureVersion]:
    """Every version of a procedure, oldest first (history for officers and auditors)."""
    return list(ProcedureVersion.objects.filter(procedure__code=code).order_by("valid_from"))


def commune_unit_codes(*, on: date | None = None) -> list[str]:
    """Codes of the wards, communes and special zones active on a day (sorted)."""
    day = on or _today()
    return list(
        Agency.objects.active_on(day).filter(level__in=COMMUNE_LEVELS).order_by("code").values_list("code", flat=True)
    )


def version_agency_codes(version: ProcedureVersion, *, commune_units: list[str] | None = None) -> list[str]:
    """The codes of every agency implementing a version, the 'all commune units' flag expanded."""
    codes: list[str] = []
    for link in version.agency_links.all():
        if link.agency.code not in codes:
            codes.append(link.agency.code)
    if version.all_commune_units:
        units = commune_units if commune_units is not None else commune_unit_codes()
        codes.extend(code for code in units if code not in codes)
    return codes


def hit_agency_codes(hit: ProcedureHit, *, commune_units: list[str]) -> list[str]:
    codes = list(hit.agency_codes)
    if hit.all_commune_units:
        codes.extend(code for code in commune_units if code not in hit.agency_codes)
    return codes


@dataclass
class SearchPage:
    count: int
    items: list[ProcedureHit]
    page: int
    pages: int
    page_size: int


def procedure_search(
    *,
    q: str = "",
    agency: str | None = None,
    field: str | None = None,
    online: str | None = None,
    level: str | None = None,
    page: int = 1,
    page_size: int = 20,
    on: date | None = None,
) -> SearchPage:
    """Procedures in force matching a citizen's words and the filters, best match first."""
    if online and online not in OnlineMode.values:
        raise BadInput("Bộ lọc “online” chỉ nhận full, partial hoặc none.", fields={"online": "invalid"})
    if level and level not in Level.values:
        raise BadInput("Bộ lọc “level” chỉ nhận province hoặc commune.", fields={"level": "invalid"})
    if page < 1 or page > 10_000:
        raise BadInput("Số trang phải từ 1 trở lên.", fields={"page": "invalid"})
    if page_size < 1 or page_size > 100:
        raise BadInput("Số kết quả mỗi trang phải từ 1 đến 100.", fields={"page_size": "invalid"})
    if len(q) > 200:
        raise BadInput("Từ khoá tìm kiếm dài tối đa 200 ký tự.", fields={"q": "too_long"})
    index = search_engine.get_index(on or _today())
    ranked = search_engine.rank(index, q, agency=agency or None, field=field or None, online=online, level=level)
    count = len(ranked)
    start = (page - 1) * page_size
    return SearchPage(
        count=count,
        items=search_engine.hits(index, ranked[start : start + page_size]),
        page=page,
        pages=max(1, -(-count // page_size)),
        page_size=page_size,
    )


def field_list() -> list[Field]:
    """Fields that have at least one procedure in force (for the catalogue's filter)."""
    day = _today()
    return list(
        Field.objects.filter(versions__in=ProcedureVersion.objects.in_force_on(day)).distinct().order_by("name")
    )


def agency_choices() -> list[tuple[str, str]]:
    """(code, name) of the agencies named by procedures in force (departments, boards, police…)."""
    day = _today()
    rows = (
        Agency.objects.filter(procedure_links__version__in=ProcedureVersion.objects.in_force_on(day))
        .distinct()
        .order_by("name")
        .values_list("code", "name")
    )
    return list(rows)


@dataclass
class AgencyChoiceGroup:
    label: str
    choices: list[tuple[str, str]]


def agency_choice_groups() -> list[AgencyChoiceGroup]:
    """The catalogue's agency filter: the agencies named by procedures in force, then every ward,
    commune and special zone active today when some procedure in force is performed by all of
    them (or names one), each group sorted the Vietnamese way (accents folded)."""
    from django.utils.translation import gettext as _

    day = _today()
    in_force = ProcedureVersion.objects.in_force_on(day)
    level_order = {level: i for i, level in enumerate(COMMUNE_LEVELS)}
    units = sorted(
        Agency.objects.active_on(day).filter(level__in=COMMUNE_LEVELS).values_list("code", "name", "level"),
        key=lambda row: (level_order.get(row[2], 9), fold(row[1])),
    )
    unit_codes = {code for code, _name, _level in units}
    named = agency_choices()
    groups: list[AgencyChoiceGroup] = []
    others = [(code, name) for code, name in named if code not in unit_codes]
    if others:
        groups.append(AgencyChoiceGroup(_("Sở, ban, ngành và cơ quan cấp Thành phố"), others))
    if units and (len(others) < len(named) or in_force.filter(all_commune_units=True).exists()):
        groups.append(AgencyChoiceGroup(_("Phường, xã, đặc khu"), [(code, name) for code, name, _level in units]))
    return groups


def catalog_export(*, codes: list[str] | None = None) -> dict:
    """The catalogue in the interchange format of docs/catalog.md."""
    return _catalog_export(codes=codes)


def procedure_receiving_agency(version: ProcedureVersion, *, agency_code: str | None = None) -> Agency | None:
    """The agency that would receive a dossier of this version: the one asked for when it performs
    the procedure (a ward of an all-commune procedure too), else its first receiving agency.

    Uses the prefetched `agency_links` of `procedure_detail`; None when no single agency is
    known (an all-commune procedure and no ward chosen).
    """
    links = list(version.agency_links.all())
    if agency_code:
        for link in links:
            if link.agency.code == agency_code:
                return link.agency
        if version.all_commune_units:
            ward = Agency.objects.active_on(_today()).filter(level__in=COMMUNE_LEVELS, code=agency_code).first()
            if ward is not None:
                return ward
    receiving = [link for link in links if link.role == ProcedureAgency.Role.RECEIVING] or links
    return receiving[0].agency if receiving else None


def _commune_units_working_hours() -> list | None:
    """The wards' and communes' working hours when they all keep the same ones, else None."""
    hours = {
        json.dumps(value or [])
        for value in Agency.objects.active_on(_today())
        .filter(level__in=COMMUNE_LEVELS)
        .values_list("working_hours", flat=True)
    }
    if len(hours) != 1:
        return None
    return json.loads(hours.pop()) or None


def procedure_expected_due(version: ProcedureVersion, *, now=None, agency: Agency | None = None):
    """When a dossier received now would be due, in the receiving agency's working time
    (ux.md: "dự kiến trước …"): `agency`, else `procedure_receiving_agency(version)`; for an
    all-commune procedure with no ward chosen, the wards' common hours (the default ones when
    they differ).
    """
    from django.utils import timezone

    from motcua.core.calendar import get_work_calendar

    now = now or timezone.now()
    agency = agency or procedure_receiving_agency(version)
    if agency is not None:
        working_hours = agency.working_hours or None
    elif version.all_commune_units:
        working_hours = _commune_units_working_hours()
    else:
        working_hours = None
    calendar = get_work_calendar(working_hours)
    if version.processing_hours:
        return calendar.deadline_after_working_hours(now, version.processing_hours, cutoff=version.cutoff_hour)
    if version.processing_days:
        return calendar.deadline_after_working_days(now, version.processing_days, cutoff=version.cutoff_hour)
    return None


def version_in_use(version: ProcedureVersion) -> bool:
    """Whether dossiers were received under this version: then its rules may no longer change.

    Looked up through the app registry, so the catalogue does not import the dossiers app.
    """
    if version.pk is None:
        return False
    from django.apps import apps

    return apps.get_model("dossiers", "Dossier").objects.filter(procedure_version_id=version.pk).exists()
