"""Telling people what happened: the inbox, e-mail and SMS, from dossier events and other apps.

Dossier messages arrive from the outbox (`dossiers.subscribers`): each becomes at most one
notification per person (the outbox key is the dedupe key), rendered in the person's
language. Each channel is then sent by an outbox message of its own (`notification.email`,
`notification.sms`), so a failing gateway is retried alone and the other channel is never
sent twice; `Delivery` records every try.
"""

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from motcua.accounts.models import User
from motcua.core import outbox
from motcua.core.errors import BadInput, NotFound
from motcua.core.models import OutboxMessage
from motcua.core.timeutil import format_vn
from motcua.dossiers.models import Channel as DossierChannel
from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent, DossierMessage
from motcua.notifications import rendering
from motcua.notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Language,
    Notification,
    NotificationPreference,
)
from motcua.notifications.selectors import notification_preference_get
from motcua.notifications.sms import normalize_phone, sms_send
from motcua.payments.money import format_vnd
from motcua.payments.selectors import invoice_open_for_dossier

logger = logging.getLogger(__name__)

EMAIL_TOPIC = "notification.email"
SMS_TOPIC = "notification.sms"
SUBSCRIBER_NAME = "notifications"
# The citizen's page of one dossier and of one of its documents (portal); the officers' page.
DOSSIER_PAGE = "/ho-so-cua-toi/{code}/"
DOCUMENT_PAGE = "/ho-so-cua-toi/{code}/giay-to/{document_id}/"
OFFICER_DOSSIER_PAGE = "/can-bo/ho-so/{code}/"
INBOX_PAGE = "/hop-thu/"
PREFERENCES_PAGE = "/tai-khoan/thong-bao/"
# Lifecycle actions the applicant is told about; resolve is decided per dossier below.
ACTION_EVENTS: dict[str, str] = {
    "submit": "submitted",
    "receive": "received",
    "request_supplement": "supplement_requested",
    "request_payment": "payment_due",
    "return_result": "returned",
    "extend": "late_apology",
    "refuse": "refused",
    "stop": "stopped",
}


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# --- preferences and the inbox ------------------------------------------------------------


def notification_preferences_update(*, user: User, email: bool, sms: bool, language: str) -> NotificationPreference:
    if language not in Language.values:
        raise BadInput("Hãy chọn ngôn ngữ nhận thông báo: Tiếng Việt hoặc English.", fields={"language": "invalid"})
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email": bool(email), "sms": bool(sms), "language": language}
    )
    return preference


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Open one of the user's own notifications (NotFound for anyone else's); marks it read."""
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is None:
        raise NotFound("Không tìm thấy thông báo này.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


# --- sending ------------------------------------------------------------------------------


def notification_send(
    *,
    user: User,
    event: str,
    context: dict[str, Any],
    dedupe_key: str,
    link: str = "",
    dossier_code: str = "",
    email: str | None = None,
    phone: str | None = None,
) -> Notification:
    """Put a notification in `user`'s inbox and queue e-mail/SMS as they chose.

    Idempotent on `dedupe_key`: calling again returns the first notification and sends
    nothing more. `link` is a path on this site (or a full URL); `email`/`phone` default to
    the account's. Other apps (feedback answers, …) call this directly.
    """
    existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    preference = notification_preference_get(user)
    absolute_link = site_url(link) if link.startswith("/") else link
    values = {
        "name": user.full_name or user.username,
        "link": absolute_link,
        "inbox_url": site_url(INBOX_PAGE),
        "preferences_url": site_url(PREFERENCES_PAGE),
        **context,
    }
    rendered = rendering.render(event, preference.language, values)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=user,
                event=event,
                language=preference.language,
                title=rendered.subject,
                body=rendered.body,
                sms_text=rendered.sms,
                link=absolute_link[:500],
                dossier_code=dossier_code,
                dedupe_key=dedupe_key,
            )
            email_address = (user.email if email is None else email).strip()
            if preference.email and email_address:
                _queue(notification, Channel.EMAIL, email_address)
            phone_number = normalize_phone(user.phone if phone is None else phone)
            if preference.sms and phone_number:
                _queue(notification, Channel.SMS, phone_number)
    except IntegrityError:
        # The same key raced in from another worker: theirs stands.
        return Notification.objects.get(dedupe_key=dedupe_key)
    return notification


def _queue(notification: Notification, channel: str, address: str) -> None:
    delivery = Delivery.objects.create(notification=notification, channel=channel, address=address)
    outbox.enqueue(
        topic=EMAIL_TOPIC if channel == Channel.EMAIL else SMS_TOPIC,
        payload={"delivery": delivery.pk},
        key=f"notification:{notification.pk}:{channel}",
    )


def deliver_email(payload: dict[str, Any], key: str) -> None:
    """Outbox handler: send one e-mail over SMTP; a failure is recorded, then retried by the outbox."""
    _deliver(payload, _send_email, key)


def deliver_sms(payload: dict[str, Any], key: str) -> None:
    """Outbox handler: hand one SMS to the gateway; a failure is recorded, then retried by the outbox."""
    _deliver(payload, _send_sms, key)


def _deliver(payload: dict[str, Any], send: Callable[[Delivery], str], key: str) -> None:
    """Send one channel of one notification, keeping `Delivery` in step with its outbox row.

    * The try is counted *before* the send, in its own statement, as the outbox counts its
      attempt when it claims the message: a worker killed mid-send leaves both counters one
      higher, never only the outbox's.
    * `Delivery.attempts` is the number of tries ever made; the outbox row's `attempts`
      starts again from 0 when an administrator retries a dead message (it is that round's
      budget). Before any retry the two are equal.
    * Only a delivery already SENT is skipped (a redelivery after success is a no-op). A DEAD
      one is sent again: it is dead only because its outbox message was, and the outbox only
      hands it over again after an administrator's retry. Whether a failure is final is the
      outbox's decision (its attempts against `OUTBOX_MAX_ATTEMPTS`), read from its row.
    """
    # No row lock while talking to the server: the outbox hands a message to one worker at a
    # time, and the status check below turns a redelivery after success into a no-op.
    delivery_id = payload.get("delivery")
    if not isinstance(delivery_id, int):
        return
    delivery = Delivery.objects.select_related("notification").filter(pk=delivery_id).first()
    if delivery is None or delivery.status == DeliveryStatus.SENT:
        return
    Delivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1)
    try:
        provider_id = send(delivery)
    except Exception as error:
        round_attempts = (
            OutboxMessage.objects.filter(idempotency_key=key).values_list("attempts", flat=True).first() or 0
        )
        give_up = round_attempts >= outbox.max_attempts()
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.DEAD if give_up else DeliveryStatus.FAILED,
            last_error=f"{type(error).__name__}: {error}"[:2000],
        )
        logger.warning("notification %s by %s failed: %s", delivery.notification_id, delivery.channel, error)
        raise  # the outbox retries with backoff
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), provider_message_id=provider_id[:200]
    )


def _send_email(delivery: Delivery) -> str:
    notification = delivery.notification
    # A stable Message-ID per delivery: a mail re-sent after a crash is recognisably the same.
    domain = urlsplit(settings.SITE_URL).hostname or "motcua.local"
    message_id = f"<motcua.notification.{notification.pk}.{delivery.pk}@{domain}>"
    message = EmailMessage(
        subject=notification.title,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.address],
        headers={
            "Message-ID": message_id,
            "Auto-Submitted": "auto-generated",  # RFC 3834: auto-responders stay quiet
            "Content-Language": notification.language,
        },
        connection=get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT),
    )
    message.send(fail_silently=False)
    return message_id


def _send_sms(delivery: Delivery) -> str:
    notification = delivery.notification
    accepted = sms_send(to=delivery.address, text=notification.sms_text, client_ref=f"motcua-{delivery.pk}")
    return accepted.message_id


# --- dossier events -----------------------------------------------------------------------


def on_dossier_changed(payload: dict[str, Any], key: str) -> None:
    """Subscriber of `dossier.changed`: tell the applicant about the changes they care about."""
    action = str(payload.get("action", ""))
    if action not in ACTION_EVENTS and action != "resolve":
        return
    with transaction.atomic():
        dossier = _dossier(payload)
        if dossier is None:
            return
        event = ACTION_EVENTS.get(action) or _resolved_event(dossier)
        row = _event_row(dossier, action, payload.get("version"))
        context = _dossier_context(dossier)
        data = row.data if row else {}
        context["note"] = row.note if row else ""
        if action == "receive":
            due = _parse(data.get("due_at")) or dossier.due_at
            context["due_at"] = format_vn(due) if due else ""
            context["receipt_link"] = _form_link(dossier, "01")
        elif action == "request_payment":
            invoice = invoice_open_for_dossier(dossier)
            if invoice is not None:
                context["amount"] = format_vnd(invoice.amount_vnd)
                context["payment_link"] = site_url(f"/thanh-toan/{invoice.reference}/")
        elif action == "extend":
            previous, new = _parse(data.get("previous_due_at")), _parse(data.get("due_at"))
            context["previous_due_at"] = format_vn(previous) if previous else ""
            context["new_due_at"] = format_vn(new) if new else ""
            context["apology_link"] = _form_link(dossier, "04")
        _send_to_applicant(dossier, event, context, key)


def on_dossier_late(payload: dict[str, Any], key: str) -> None:
    """Subscriber of `dossier.late`: the applicant gets an apology as soon as the date is missed."""
    with transaction.atomic():
        dossier = _dossier(payload)
        if dossier is None:
            return
        context = _dossier_context(dossier)
        due = _parse(payload.get("due_at"))
        context["previous_due_at"] = format_vn(due) if due else ""
        _send_to_applicant(dossier, "late_apology", context, key)


def on_dossier_due_soon(payload: dict[str, Any], key: str) -> None:
    """Subscriber of `dossier.due_soon`: remind the officer handling the dossier."""
    with transaction.atomic():
        dossier = _dossier(payload)
        if dossier is None or dossier.current_handler is None:
            return
        handler = dossier.current_handler
        context = _dossier_context(dossier)
        due = _parse(payload.get("due_at")) or dossier.due_at
        context["due_at"] = format_vn(due) if due else ""
        notification_send(
            user=handler,
            event="due_soon",
            context=context,
            dedupe_key=f"{key}:u{handler.pk}",
            link=OFFICER_DOSSIER_PAGE.format(code=dossier.code),
            dossier_code=dossier.code,
        )


def on_dossier_message(payload: dict[str, Any], key: str) -> None:
    """Subscriber of `dossier.message`: tell the other party that a message is waiting.

    The text itself stays on the site (it may hold personal details); the notice says who
    wrote and where to read it. An applicant's message goes to the officer handling the
    dossier, if one is assigned (otherwise the agency's queue shows it).
    """
    with transaction.atomic():
        dossier = _dossier(payload)
        if dossier is None:
            return
        context = _dossier_context(dossier)
        if payload.get("author_role") == "officer" and payload.get("kind") == "complaint":
            # An officer's answer to the applicant's complaint (dossiers.ratings.complaint_answer).
            answer = DossierMessage.objects.filter(pk=int(payload.get("message_id") or 0), dossier=dossier).first()
            complaint = DossierMessage.objects.filter(pk=int(payload.get("answers") or 0), dossier=dossier).first()
            if answer is None:
                return
            topic = " ".join(complaint.text.split()) if complaint else ""
            context.update(
                agency=answer.agency_name or context["agency"],
                topic=topic if len(topic) <= 120 else topic[:117].rstrip() + "...",
                answer=answer.text,
            )
            _send_to_applicant(dossier, "feedback_answered", context, key)
            return
        if payload.get("author_role") == "officer":
            _send_to_applicant(dossier, "message_received", context, key)
            return
        handler = dossier.current_handler
        if handler is None:
            return
        context["complaint"] = payload.get("kind") == "complaint"
        notification_send(
            user=handler,
            event="message_from_applicant",
            context=context,
            dedupe_key=f"{key}:u{handler.pk}",
            link=OFFICER_DOSSIER_PAGE.format(code=dossier.code),
            dossier_code=dossier.code,
        )


# They only write to the database: the outbox may run them in the transaction that marks
# their message delivered, so a crash never leaves one half done.
for _subscriber in (on_dossier_changed, on_dossier_late, on_dossier_due_soon, on_dossier_message):
    _subscriber.outbox_transactional = True  # type: ignore[attr-defined]


def _dossier(payload: dict[str, Any]) -> Dossier | None:
    return (
        Dossier.objects.select_related("procedure_version", "current_agency", "applicant", "current_handler")
        .filter(code=payload.get("code"))
        .first()
    )


def _resolved_event(dossier: Dossier) -> str:
    """An electronic result of an online dossier is downloaded; anything else is collected."""
    electronic = dossier.procedure_version.result_type in ("electronic", "both")
    return "resolved" if electronic and dossier.channel == DossierChannel.ONLINE else "ready_to_collect"


def _event_row(dossier: Dossier, action: str, version: Any) -> DossierEvent | None:
    # One event per version: the event of this change is the one numbered like the version.
    events = DossierEvent.objects.filter(dossier=dossier, action=action).only("note", "data", "seq")
    if isinstance(version, int):
        exact = events.filter(seq=version).first()
        if exact is not None:
            return exact
    return events.order_by("-seq").first()


def _dossier_context(dossier: Dossier) -> dict[str, Any]:
    agency = dossier.current_agency
    return {
        "code": dossier.code,
        "procedure": dossier.procedure_version.name,
        "result_name": dossier.procedure_version.result_name,
        "agency": agency.name,
        "agency_address": agency.address,
        "agency_phone": agency.phone,
        "submitted_at": format_vn(dossier.submitted_at),
        "due_at": format_vn(dossier.due_at) if dossier.due_at else "",
    }


def _form_link(dossier: Dossier, number: str) -> str:
    document = (
        DossierDocument.objects.filter(dossier=dossier, kind=DossierDocument.Kind.NOTICE, form_number=number)
        .order_by("-id")
        .only("id")
        .first()
    )
    return site_url(DOCUMENT_PAGE.format(code=dossier.code, document_id=document.pk)) if document else ""


def _parse(value: Any) -> Any:
    return parse_datetime(value) if isinstance(value, str) and value else None


def _send_to_applicant(dossier: Dossier, event: str, context: dict[str, Any], key: str) -> None:
    applicant = dossier.applicant
    notification_send(
        user=applicant,
        event=event,
        context=context,
        dedupe_key=f"{key}:u{applicant.pk}",
        link=DOSSIER_PAGE.format(code=dossier.code),
        dossier_code=dossier.code,
        # The account's address first; a dossier filed at the counter may carry only its own.
        email=applicant.email or dossier.applicant_email,
        phone=applicant.phone or dossier.applicant_phone,
    )
