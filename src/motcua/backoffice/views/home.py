"""The officer's start page: their work queues with counts, one queue listed, soonest due first."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from motcua.accounts.rules import officer_agency_ids
from motcua.backoffice.views.common import officer_required, procedures_received_by
from motcua.core.errors import BadInput, NotFound
from motcua.dossiers.lifecycle import status_name, status_plain_name
from motcua.dossiers.queues import queue_counts, queue_page


@require_GET
@officer_required
def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    counts = queue_counts(request.user, now=now)
    key = request.GET.get("ds") or next((c.spec.key for c in counts if c.count), counts[0].spec.key if counts else "")
    search = request.GET.get("q", "")[:100]
    procedure_id = request.GET.get("thu_tuc", "")
    page = None
    error = ""
    if key:
        try:
            page = queue_page(
                request.user,
                key,
                cursor=request.GET.get("sau") or None,
                search=search,
                procedure_id=int(procedure_id) if procedure_id.isdigit() else None,
                now=now,
            )
        except NotFound as exc:
            raise Http404(exc.detail) from exc
        except BadInput as exc:
            error = exc.detail
    # Procedures these agencies have dossiers of, for the filter (a short list per agency).
    agencies = officer_agency_ids(request.user)
    procedures = procedures_received_by(agencies)
    rows = []
    for row in page.rows if page else []:
        dossier = row.dossier
        rows.append(
            {
                "row": row,
                "dossier": dossier,
                "status_name": status_name(dossier.status),
                "status_plain": status_plain_name(dossier.status),
            }
        )
    return render(
        request,
        "backoffice/home.html",
        {
            "counts": counts,
            "current": key,
            "page": page,
            "rows": rows,
            "search": search,
            "procedure_id": procedure_id,
            "procedures": procedures,
            "error": error,
            "now": now,
        },
    )
