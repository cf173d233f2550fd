"""Complaints sent with bad ratings (phản ánh, kiến nghị) on the agency's dossiers, and the
officers' answers: the list, open ones first, with one answer form each."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.backoffice.views.common import officer_required
from motcua.core.errors import DomainError
from motcua.dossiers.ratings import complaint_answer, complaints_for_officer

PAGE_SIZE = 50


@officer_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    """GET: the complaints (`?mo=1`: only those not answered yet). POST: answer one."""
    user = request.user
    assert isinstance(user, User)  # officer_required
    open_only = request.GET.get("mo") == "1"
    error, error_id, posted = "", None, ""
    if request.method == "POST":
        posted = request.POST.get("text", "")
        raw_id = request.POST.get("complaint", "")
        try:
            complaint_answer(user=user, complaint_id=int(raw_id) if raw_id.isdigit() else 0, text=posted)
        except DomainError as failure:
            error, error_id = failure.detail, int(raw_id) if raw_id.isdigit() else None
        else:
            messages.success(request, _("Đã gửi câu trả lời cho người nộp hồ sơ."))
            return redirect(reverse("backoffice:complaints") + ("?mo=1" if open_only else ""))
    complaints = list(complaints_for_officer(user, open_only=open_only, limit=PAGE_SIZE))
    return render(
        request,
        "backoffice/complaints.html",
        {
            "complaints": complaints,
            "open_only": open_only,
            "error": error,
            "error_id": error_id,
            "posted": posted,
        },
        status=400 if error else 200,
    )
