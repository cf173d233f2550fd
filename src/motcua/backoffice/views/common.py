"""What every back-office view shares: officers only, domain errors as pages."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from motcua.accounts.rules import is_system_admin


def officer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in officers (and city administrators); citizens get 403, strangers the login page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:accounts:login"))
        if not (user.is_officer or is_system_admin(user)):
            raise DjangoPermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def procedures_received_by(agency_ids: set[int]) -> list[tuple[int, str, str]]:
    """(procedure id, code, name) of the procedures in force these agencies receive, by code."""
    from django.db.models import Q
    from django.utils import timezone

    from motcua.catalog.models import ProcedureVersion
    from motcua.directory.models import Agency

    today = timezone.localdate()
    communes = Agency.objects.filter(pk__in=agency_ids, level__in=["ward", "commune", "special_zone"]).exists()
    links = Q(agency_links__agency_id__in=agency_ids)
    if communes:
        links |= Q(all_commune_units=True)
    rows = (
        ProcedureVersion.objects.in_force_on(today)
        .filter(links)
        .values_list("procedure_id", "procedure__code", "name")
        .distinct()
        .order_by("procedure__code")
    )
    return list(rows)
