"""Lateness (form 04): receivers and specialists propose an extension, the leader approves or rejects."""

from datetime import timedelta

import pytest
from django.urls import reverse

from motcua.core.errors import BadInput, Conflict, NotFound, PermissionDenied, StaleVersion
from motcua.core.timeutil import to_vn
from motcua.dossiers.extensions import (
    extension_proposal_approve,
    extension_proposal_create,
    extension_proposal_reject,
)
from motcua.dossiers.models import Dossier, DossierEvent, DueDateChange, ExtensionProposal
from motcua.dossiers.queues import queue_counts, queue_page
from motcua.dossiers.services import dossier_act
from tests.backoffice.conftest import counter_dossier

pytestmark = pytest.mark.django_db


def _fresh(dossier):
    return Dossier.objects.get(pk=dossier.pk)


def _assigned(office):
    dossier = counter_dossier(office)
    return dossier_act(
        actor=office.receiver,
        code=dossier.code,
        action="assign",
        version=dossier.version,
        params={"handler": "demo.specialist"},
    )


def _proposals_count(user):
    return {c.spec.key: c.count for c in queue_counts(user)}["extension_proposals"]


def test_propose_then_leader_approves_with_the_proposals_date_and_reason(office):
    dossier = _assigned(office)
    new_due = dossier.due_at + timedelta(days=7)
    proposal = extension_proposal_create(
        actor=office.specialist, code=dossier.code, version=dossier.version, new_due_at=new_due, reason="Chờ xác minh"
    )
    dossier = _fresh(dossier)
    event = DossierEvent.objects.filter(dossier=dossier).order_by("-seq").first()
    assert event.action == "propose_extension" and event.public is False and event.actor == office.specialist
    assert event.seq == dossier.version  # one event per version: the open pages are stale now
    assert _proposals_count(office.leader) == 1
    assert [r.dossier.code for r in queue_page(office.leader, "extension_proposals").rows] == [dossier.code]
    with pytest.raises(Conflict):  # one pending proposal at a time
        extension_proposal_create(
            actor=office.receiver, code=dossier.code, version=dossier.version, new_due_at=new_due, reason="Lần hai"
        )
    with pytest.raises(PermissionDenied):  # the specialist cannot approve their own proposal
        extension_proposal_approve(actor=office.specialist, code=dossier.code, version=dossier.version)
    previous_due = dossier.due_at
    dossier = extension_proposal_approve(actor=office.leader, code=dossier.code, version=dossier.version)
    assert dossier.due_at == new_due
    last = DossierEvent.objects.filter(dossier=dossier).order_by("-seq").first()
    assert last.action == "extend" and last.note == "Chờ xác minh" and last.public is True
    assert DueDateChange.objects.filter(dossier=dossier, previous_due_at=previous_due, new_due_at=new_due).exists()
    assert dossier.documents.filter(form_number="04").exists()
    proposal.refresh_from_db()
    assert proposal.state == "approved" and proposal.decided_by == office.leader
    assert _proposals_count(office.leader) == 0


def test_leader_rejects_with_a_reason(office):
    dossier = _assigned(office)
    proposal = extension_proposal_create(
        actor=office.receiver,
        code=dossier.code,
        version=dossier.version,
        new_due_at=dossier.due_at + timedelta(days=3),
        reason="Thiếu người",
    )
    dossier = _fresh(dossier)
    with pytest.raises(BadInput):
        extension_proposal_reject(actor=office.leader, code=dossier.code, version=dossier.version, reason=" ")
    extension_proposal_reject(actor=office.leader, code=dossier.code, version=dossier.version, reason="Vẫn kịp hạn")
    proposal.refresh_from_db()
    assert proposal.state == "rejected" and proposal.decision_note == "Vẫn kịp hạn"
    dossier = _fresh(dossier)
    assert dossier.due_at == proposal.current_due_at  # unchanged
    last = DossierEvent.objects.filter(dossier=dossier).order_by("-seq").first()
    assert last.action == "reject_extension" and last.public is False
    # A new proposal may follow a rejected one.
    extension_proposal_create(
        actor=office.receiver,
        code=dossier.code,
        version=dossier.version,
        new_due_at=dossier.due_at + timedelta(days=2),
        reason="Đề nghị lại",
    )


def test_who_may_propose_and_what(office):
    dossier = _assigned(office)
    later = dossier.due_at + timedelta(days=5)
    with pytest.raises(NotFound):  # another agency's officer does not even see it
        extension_proposal_create(
            actor=office.ward_receiver, code=dossier.code, version=dossier.version, new_due_at=later, reason="x"
        )
    with pytest.raises(PermissionDenied):  # leaders extend directly
        extension_proposal_create(
            actor=office.leader, code=dossier.code, version=dossier.version, new_due_at=later, reason="x"
        )
    with pytest.raises(BadInput):
        extension_proposal_create(
            actor=office.specialist, code=dossier.code, version=dossier.version, new_due_at=later, reason=""
        )
    with pytest.raises(BadInput):  # not after the current appointment
        extension_proposal_create(
            actor=office.specialist,
            code=dossier.code,
            version=dossier.version,
            new_due_at=dossier.due_at - timedelta(hours=1),
            reason="x",
        )
    with pytest.raises(StaleVersion):
        extension_proposal_create(
            actor=office.specialist, code=dossier.code, version=dossier.version - 1, new_due_at=later, reason="x"
        )
    assert not ExtensionProposal.objects.exists()


def test_a_dossier_waiting_for_payment_can_be_proposed(office, settings):
    settings.DOSSIER_PAUSE_ON_PAYMENT = False  # the clock runs while the fee is due
    dossier = _assigned(office)
    Dossier.objects.filter(pk=dossier.pk).update(status=6)  # PAYMENT_DUE
    proposal = extension_proposal_create(
        actor=office.specialist,
        code=dossier.code,
        version=dossier.version,
        new_due_at=dossier.due_at + timedelta(days=4),
        reason="Chờ người nộp đóng phí",
    )
    assert proposal.state == "pending"
    dossier = extension_proposal_approve(actor=office.leader, code=dossier.code, version=_fresh(dossier).version)
    assert dossier.status == 6 and dossier.due_at == proposal.new_due_at


def test_the_whole_flow_in_the_workspace(client, office):
    dossier = _assigned(office)
    new_day = to_vn(dossier.due_at).date() + timedelta(days=10)
    url = reverse("backoffice:extension_propose", args=[dossier.code])
    client.force_login(office.ward_receiver)
    assert client.post(url, {"version": dossier.version, "new_due_date": new_day, "reason": "x"}).status_code == 404
    client.force_login(office.specialist)
    response = client.post(url, {"version": dossier.version, "new_due_date": "", "reason": ""})
    assert response.status_code == 400
    assert "Vui lòng chọn ngày hẹn trả mới." in response.content.decode()
    response = client.post(url, {"version": dossier.version, "new_due_date": new_day, "reason": "Chờ cơ quan khác"})
    assert response.status_code == 302
    # The leader's page shows the proposal and the extend form filled in with it.
    client.force_login(office.leader)
    html = client.get(reverse("backoffice:dossier", args=[dossier.code])).content.decode()
    assert "Đề nghị gia hạn chờ lãnh đạo duyệt" in html
    assert f'value="{new_day.isoformat()}"' in html
    assert "Chờ cơ quan khác</textarea>" in html
    version = _fresh(dossier).version
    response = client.post(
        reverse("backoffice:action", args=[dossier.code, "extend"]),
        {"extend-version": version, "extend-new_due_date": new_day, "extend-note": "Chờ cơ quan khác"},
    )
    assert response.status_code == 302
    assert ExtensionProposal.objects.get().state == "approved"
    assert to_vn(_fresh(dossier).due_at).date() == new_day


def test_the_leader_rejects_in_the_workspace(client, office):
    dossier = _assigned(office)
    proposal = extension_proposal_create(
        actor=office.specialist,
        code=dossier.code,
        version=dossier.version,
        new_due_at=dossier.due_at + timedelta(days=3),
        reason="Thiếu người",
    )
    client.force_login(office.leader)
    url = reverse("backoffice:extension_reject", args=[dossier.code])
    version = _fresh(dossier).version
    response = client.post(url, {"version": version, "proposal": proposal.pk, "reason": ""})
    assert response.status_code == 400
    response = client.post(url, {"version": version, "proposal": proposal.pk, "reason": "Vẫn kịp hạn"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == "rejected"
