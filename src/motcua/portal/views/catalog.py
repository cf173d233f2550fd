"""The public catalogue: search page and procedure page (thin: selectors only)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from motcua.catalog import selectors
from motcua.catalog.models import Level, OnlineMode, ProcessStep, StateDataSource
from motcua.core.errors import BadInput, NotFound

PAGE_SIZE = 20


def format_vnd(amount: int | None) -> str:
    """Money as Vietnamese write it: 1.500.000 đ; 0 is "Miễn phí"."""
    if amount is None:
        return ""
    if amount == 0:
        return _("Miễn phí")
    return f"{amount:,}".replace(",", ".") + " đ"


def describe_time(days: int | None, hours: int | None) -> str:
    if hours:
        return _("khoảng %(n)s giờ làm việc") % {"n": hours}
    if days:
        return _("khoảng %(n)s ngày làm việc") % {"n": days}
    return ""


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


def catalog(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    filters = {
        "field": request.GET.get("field") or None,
        "online": request.GET.get("online") or None,
        "level": request.GET.get("level") or None,
        "agency": request.GET.get("agency") or None,
    }
    page_number = max(1, _int(request.GET.get("page"), 1))
    error = ""
    try:
        page = selectors.procedure_search(q=q, page=page_number, page_size=PAGE_SIZE, **filters)
    except BadInput as exc:
        error = exc.detail
        page = selectors.procedure_search(q=q, page=1, page_size=PAGE_SIZE)
    results = [
        {
            "hit": hit,
            "time": describe_time(hit.processing_days, hit.processing_hours),
            "fee": format_vnd(hit.fee_vnd),
            "online_label": OnlineMode(hit.online_mode).label,
        }
        for hit in page.items
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/catalog/list.html",
        {
            "q": q,
            "filters": filters,
            "page": page,
            "results": results,
            "error": error,
            "fields": selectors.field_list(),
            "agency_groups": selectors.agency_choice_groups(),
            "online_choices": OnlineMode.choices,
            "level_choices": Level.choices,
            "query_string": query.urlencode(),
            "first_number": (page.page - 1) * page.page_size + 1,
            "previous_page": page.page - 1 if page.page > 1 else None,
            "next_page": page.page + 1 if page.page < page.pages else None,
        },
    )


def _apply_url(code: str) -> str | None:
    for kwargs in ({"code": code}, {"procedure_code": code}):
        try:
            return reverse("portal:apply", kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None


def procedure(request: HttpRequest, code: str) -> HttpResponse:
    try:
        version = selectors.procedure_detail(code=code)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    fees = list(version.fees.all())
    documents = list(version.documents.all())
    steps = list(version.steps.all())
    source_labels = dict(StateDataSource.choices)
    role_labels = dict(ProcessStep.Role.choices)
    agencies = [link.agency for link in version.agency_links.all()]
    # The ward (or agency) chosen in the catalogue's filter, when it performs this procedure.
    receiving_agency = selectors.procedure_receiving_agency(version, agency_code=request.GET.get("agency", "")[:40])
    min_fee = min((fee.amount_vnd for fee in fees), default=None)
    return render(
        request,
        "portal/catalog/detail.html",
        {
            "version": version,
            "code": version.procedure.code,
            "fee_summary": format_vnd(min_fee) if min_fee is not None and len(fees) == 1 else "",
            "fees": [{"fee": fee, "amount": format_vnd(fee.amount_vnd)} for fee in fees],
            "time": describe_time(version.processing_days, version.processing_hours),
            "expected_due": selectors.procedure_expected_due(version, agency=receiving_agency),
            "chosen_unit": receiving_agency if request.GET.get("agency") and receiving_agency not in agencies else None,
            "documents": [
                {"doc": doc, "source": source_labels.get(doc.state_data_source, "") if doc.state_data_source else ""}
                for doc in documents
            ],
            "documents_to_bring": [doc for doc in documents if doc.required and not doc.state_data_source],
            "steps": [
                {"step": step, "role": role_labels.get(step.role, step.role), "hours": f"{step.hours.normalize():f}"}
                for step in steps
            ],
            "agencies": agencies,
            "full_online": version.online_mode == OnlineMode.FULL,
            "online_label": OnlineMode(version.online_mode).label,
            "apply_url": _apply_url(version.procedure.code) if version.online_mode != OnlineMode.NONE else None,
        },
    )
