"""Writes to the agency directory: one function per use case, keyword-only arguments.

Names are stored NFC with their accent-folded search key (`name_folded`); the functions
here are the only place that sets it (architecture: no business logic in `save()`).
Upserts write only what changed, so re-running a seed or an import touches nothing.
"""

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.db import transaction

from motcua.core.codes import validate_agency_code
from motcua.core.errors import BadInput
from motcua.core.text import fold, normalize
from motcua.directory.models import Agency, AgencySuccession, Counter, ServiceCentre


def agency_normalise_names(*, agency: Agency) -> None:
    """NFC name and short name, and the folded search key (in memory; the caller saves)."""
    agency.name = normalize(agency.name)
    agency.short_name = normalize(agency.short_name)
    agency.name_folded = fold(agency.name)


def _apply(instance: Any, fields: Mapping[str, Any]) -> list[str]:
    """Set the fields that differ; return their names (empty: nothing to save)."""
    changed = []
    for name, value in fields.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def agency_upsert(
    *,
    code: str,
    name: str,
    level: str,
    parent: Agency | None = None,
    valid_from: date = date(2000, 1, 1),
    valid_to: date | None = None,
    short_name: str = "",
    division_code: str = "",
    address: str = "",
    phone: str = "",
    email: str = "",
    working_hours: list[list[str]] | None = None,
) -> tuple[Agency, bool]:
    """Create or update the agency with this code; returns (agency, changed)."""
    validate_agency_code(code)
    if level not in Agency.Level.values:
        raise BadInput(f"Cấp cơ quan “{level}” không hợp lệ.")
    if valid_to is not None and valid_to < valid_from:
        raise BadInput("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.")
    name = normalize(name)
    fields: dict[str, Any] = {
        "name": name,
        "short_name": normalize(short_name),
        "name_folded": fold(name),
        "level": level,
        "parent_id": parent.pk if parent else None,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "division_code": division_code,
        "address": normalize(address),
        "phone": phone,
        "email": email,
        "working_hours": working_hours or [],
    }
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        agency = Agency(code=code, **fields)
        agency.save()
        return agency, True
    changed = _apply(agency, fields)
    if changed:
        agency.save(update_fields=changed)
    return agency, bool(changed)


@transaction.atomic
def agency_set_successors(
    *,
    agency: Agency,
    successors: Sequence[Agency],
    principal: Agency | None = None,
    notes: Mapping[str, str] | None = None,
) -> bool:
    """Record every successor of a dissolved agency and its principal one; returns changed.

    `principal` (default: the first successor) takes the open dossiers; `notes` maps a
    successor's code to what it took over. Links not listed are removed, so the call
    states the whole truth and can be repeated.
    """
    if agency.valid_to is None:
        raise BadInput(f"{agency.name} chưa có ngày hết hiệu lực nên chưa thể có cơ quan kế thừa.")
    if not successors:
        raise BadInput("Cần ít nhất một cơ quan kế thừa.")
    principal = principal or successors[0]
    codes = [s.code for s in successors]
    if principal.code not in codes:
        raise BadInput("Cơ quan kế thừa chính phải nằm trong danh sách cơ quan kế thừa.")
    if agency.code in codes:
        raise BadInput("Một cơ quan không thể tự kế thừa chính mình.")
    notes = notes or {}
    changed = False
    existing = {link.successor_id: link for link in AgencySuccession.objects.filter(predecessor=agency)}
    for successor in successors:
        note = normalize(notes.get(successor.code, ""))
        link = existing.pop(successor.pk, None)
        if link is None:
            AgencySuccession.objects.create(predecessor=agency, successor=successor, note=note)
            changed = True
        elif link.note != note:
            link.note = note
            link.save(update_fields=["note"])
            changed = True
    if existing:
        AgencySuccession.objects.filter(pk__in=[link.pk for link in existing.values()]).delete()
        changed = True
    if agency.successor_id != principal.pk:
        agency.successor = principal
        agency.save(update_fields=["successor"])
        changed = True
    return changed


@transaction.atomic
def agency_dissolve(
    *,
    agency: Agency,
    last_day: date,
    successors: Sequence[Agency],
    principal: Agency | None = None,
    notes: Mapping[str, str] | None = None,
) -> Agency:
    """Close an agency after `last_day` and hand it to its successors (a reorganisation)."""
    if last_day < agency.valid_from:
        raise BadInput("Ngày giải thể phải sau ngày bắt đầu hiệu lực của cơ quan.")
    for successor in successors:
        if successor.valid_to is not None and successor.valid_to <= last_day:
            raise BadInput(f"{successor.name} đã hết hiệu lực, không thể kế thừa.")
    if agency.valid_to != last_day:
        agency.valid_to = last_day
        agency.save(update_fields=["valid_to"])
    agency_set_successors(agency=agency, successors=successors, principal=principal, notes=notes)
    return agency


def agency_sync_principal_link(*, agency: Agency) -> None:
    """Make sure the principal successor is also among all successors (after an admin edit)."""
    if agency.successor_id and agency.successor_id != agency.pk:
        AgencySuccession.objects.get_or_create(predecessor=agency, successor_id=agency.successor_id)


def service_centre_upsert(
    *, code: str, name: str, agency: Agency, address: str = "", issues_queue_numbers: bool = True
) -> tuple[ServiceCentre, bool]:
    fields = {
        "name": normalize(name),
        "agency_id": agency.pk,
        "address": normalize(address),
        "issues_queue_numbers": issues_queue_numbers,
    }
    centre = ServiceCentre.objects.filter(code=code).first()
    if centre is None:
        return ServiceCentre.objects.create(code=code, **fields), True
    changed = _apply(centre, fields)
    if changed:
        centre.save(update_fields=changed)
    return centre, bool(changed)


def counter_upsert(*, centre: ServiceCentre, number: int, name: str, services: Sequence[str]) -> tuple[Counter, bool]:
    fields = {"name": normalize(name), "services": list(services)}
    counter = Counter.objects.filter(centre=centre, number=number).first()
    if counter is None:
        return Counter.objects.create(centre=centre, number=number, **fields), True
    changed = _apply(counter, fields)
    if changed:
        counter.save(update_fields=changed)
    return counter, bool(changed)
