"""Reads of the agency directory.

The directory is public information (which agencies exist, when, under whom), so these
selectors take no acting user. All of them run a bounded number of queries, whatever the
number of agencies or the depth of the hierarchy.
"""

import logging
from datetime import date

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.expressions import RawSQL

from motcua.core.errors import NotFound
from motcua.directory.models import Agency, AgencySuccession, ServiceCentre

logger = logging.getLogger(__name__)

# A reorganisation chain longer than this is a data error, not history.
MAX_SUCCESSION_HOPS = 32


def agency_get(*, code: str) -> Agency:
    """The agency with this code, valid or not (history stays addressable); NotFound otherwise."""
    agency = Agency.objects.select_related("parent", "successor").filter(code=code).first()
    if agency is None:
        raise NotFound(f"Không tìm thấy cơ quan có mã “{code[:40]}”.")
    return agency


def _principal_first(agency: Agency, successors: list[Agency]) -> list[Agency]:
    return sorted(successors, key=lambda s: (s.pk != agency.successor_id, s.code))


def agency_detail(*, code: str) -> Agency:
    """`agency_get` plus `children_count` and `successor_list` (all successors, principal first).

    Two queries whatever the number of successors.
    """
    agency = (
        Agency.objects.select_related("parent", "successor")
        .annotate(children_count=Count("children"))
        .prefetch_related(Prefetch("succession_links", queryset=AgencySuccession.objects.select_related("successor")))
        .filter(code=code)
        .first()
    )
    if agency is None:
        raise NotFound(f"Không tìm thấy cơ quan có mã “{code[:40]}”.")
    agency.successor_list = _principal_first(  # type: ignore[attr-defined]
        agency, [link.successor for link in agency.succession_links.all()]
    )
    return agency


def agency_list(*, level: str | None = None, active_on: date | None = None) -> QuerySet[Agency]:
    """Every agency ever (or those active on a day), optionally of one level, by code."""
    queryset = Agency.objects.select_related("parent", "successor").order_by("code")
    if level is not None:
        queryset = queryset.filter(level=level)
    if active_on is not None:
        queryset = queryset.active_on(active_on)
    return queryset


def agency_list_active_on(*, day: date, level: str | None = None) -> QuerySet[Agency]:
    return agency_list(level=level, active_on=day)


def _subtree_ids_sql() -> str:
    table = Agency._meta.db_table
    # UNION (not UNION ALL) drops rows already seen, so a parent cycle cannot loop forever.
    return (
        f"WITH RECURSIVE subtree(id) AS ("  # noqa: S608 - table name from model metadata, value bound
        f"SELECT id FROM {table} WHERE id = %s "
        f"UNION SELECT child.id FROM {table} child JOIN subtree ON child.parent_id = subtree.id"
        f") SELECT id FROM subtree"
    )


def agency_descendants(*, agency: Agency, include_self: bool = True, active_on: date | None = None) -> QuerySet[Agency]:
    """The agency and all its children at any depth, as one query (a recursive CTE).

    Dashboards filter dossiers with `agency__in=agency_descendants(agency=...)`, which stays
    a single SQL statement.
    """
    subtree = RawSQL(_subtree_ids_sql(), [agency.pk])  # noqa: S611 - fixed SQL, the value is bound
    queryset = Agency.objects.filter(pk__in=subtree)
    if not include_self:
        queryset = queryset.exclude(pk=agency.pk)
    if active_on is not None:
        queryset = queryset.active_on(active_on)
    return queryset.order_by("code")


def agency_current_successor(*, agency: Agency, on: date) -> Agency | None:
    """The agency that stands for `agency` on day `on`, following principal successors.

    The agency itself if active that day; else, once it has ended, its principal successor,
    and so on (a ward merged twice). None when the chain ends without an active agency, when
    the day is before the agency existed, or when the data holds a cycle (logged).
    """
    current = agency
    seen: set[int] = set()
    for _ in range(MAX_SUCCESSION_HOPS):
        if current.is_active_on(on):
            return current
        if current.valid_to is None or current.valid_to >= on or current.successor_id is None:
            return None
        seen.add(current.pk)
        if current.successor_id in seen:
            logger.error("agency succession cycle at %s", current.code)
            return None
        current = Agency.objects.get(pk=current.successor_id)
    logger.error("agency succession chain of %s longer than %d", agency.code, MAX_SUCCESSION_HOPS)
    return None


def agency_successors(*, agency: Agency) -> list[Agency]:
    """All successors of a dissolved agency, the principal one first, then by code."""
    return _principal_first(agency, list(Agency.objects.filter(predecessor_links__predecessor=agency)))


def service_centre_get(*, code: str) -> ServiceCentre:
    centre = ServiceCentre.objects.select_related("agency").prefetch_related("counters").filter(code=code).first()
    if centre is None:
        raise NotFound(f"Không tìm thấy trung tâm/bộ phận một cửa có mã “{code}”.")
    return centre


def service_centre_list(*, agency: Agency | None = None) -> QuerySet[ServiceCentre]:
    queryset = ServiceCentre.objects.filter(active=True).select_related("agency").prefetch_related("counters")
    if agency is not None:
        queryset = queryset.filter(agency=agency)
    return queryset
