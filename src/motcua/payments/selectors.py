"""Reads of invoices, always through the acting user: an invoice is visible with its dossier."""

from django.db.models import QuerySet

from motcua.accounts.models import User
from motcua.core.errors import NotFound
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_get_for_user
from motcua.payments.models import PAID_STATES, Invoice, PaymentChannel


def invoice_list_for_dossier(user: User, *, dossier_code: str) -> QuerySet[Invoice]:
    """The invoices of a dossier the user may see, newest first (404 for a dossier they may not)."""
    dossier = dossier_get_for_user(user, dossier_code)
    return Invoice.objects.filter(dossier=dossier).select_related("dossier", "receipt").order_by("-number")


def invoice_get_for_user(user: User, reference: str) -> Invoice:
    invoice = (
        Invoice.objects.select_related("dossier", "dossier__procedure_version", "receipt")
        .filter(reference=reference)
        .first()
    )
    if invoice is None:
        raise NotFound("Không tìm thấy khoản phí, lệ phí này.")
    dossier_get_for_user(user, invoice.dossier.code)  # NotFound for what the user may not see
    return invoice


def invoice_open_for_dossier(dossier: Dossier) -> Invoice | None:
    """The invoice still to be paid, if any (at most one at a time)."""
    return Invoice.objects.filter(dossier=dossier).exclude(state__in=PAID_STATES).order_by("-number").first()


def paid_online_counts(*, dossiers: QuerySet[Dossier]) -> tuple[int, int]:
    """Indicator 3.6 (Decision 766): (dossiers with a fee, dossiers paid online) among `dossiers`.

    A dossier "has a fee" when a fee was requested from it (an invoice exists); it was "paid
    online" when an invoice was paid through the platform (refunded later or not).
    """
    invoices = Invoice.objects.filter(dossier__in=dossiers)
    with_fee = invoices.values("dossier_id").distinct().count()
    online = (
        invoices.filter(channel=PaymentChannel.ONLINE, paid_at__isnull=False).values("dossier_id").distinct().count()
    )
    return with_fee, online
