"""Work queues: who sees what, counts, due-time order, keyset pages, search, and the plans."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from motcua.core.errors import BadInput, NotFound
from motcua.dossiers.models import Dossier
from motcua.dossiers.queues import (
    queue_counts,
    queue_page,
    queue_queryset,
    queues_for_officer,
    search_querysets,
)
from motcua.dossiers.services import dossier_act
from motcua.dossiers.supplements import dossier_supplement_answer
from tests.backoffice.conftest import counter_dossier
from tests.factories import make_applicant

pytestmark = pytest.mark.django_db


def _counts(user):
    return {item.spec.key: item.count for item in queue_counts(user)}


def test_queues_follow_roles(office):
    assert {s.key for s in queues_for_officer(office.receiver)} >= {"receive", "assign", "return", "process"}
    assert "approve" not in {s.key for s in queues_for_officer(office.receiver)}
    assert {s.key for s in queues_for_officer(office.leader)} >= {"approve", "due_soon", "process"}
    assert queues_for_officer(office.citizen) == []
    with pytest.raises(NotFound):
        queue_page(office.specialist, "receive")


def test_counts_and_agency_isolation(office):
    counter_dossier(office, receive=False)
    received = counter_dossier(office)
    assert _counts(office.receiver)["receive"] == 1
    assert _counts(office.receiver)["assign"] == 1
    # Another agency's receiver sees none of them.
    assert _counts(office.ward_receiver)["receive"] == 0
    assert _counts(office.ward_receiver)["assign"] == 0
    dossier_act(
        actor=office.receiver,
        code=received.code,
        action="assign",
        version=received.version,
        params={"handler": "demo.specialist"},
    )
    assert _counts(office.specialist)["process"] == 1
    assert _counts(office.receiver)["process"] == 0


def test_sorted_by_due_time_with_keyset_pages_and_marks(office):
    now = timezone.now()
    # Received at different times: due dates differ; create them out of order.
    whens = [now - timedelta(days=40), now - timedelta(days=2), now - timedelta(days=20)]
    codes = [counter_dossier(office, when=when).code for when in whens]
    rows = [row.dossier.code for row in queue_page(office.receiver, "assign", page_size=10).rows]
    assert rows == [codes[0], codes[2], codes[1]]
    first = queue_page(office.receiver, "assign", page_size=2)
    assert [r.dossier.code for r in first.rows] == [codes[0], codes[2]]
    assert first.rows[0].late is True  # received 40 days ago: far past 20 working days
    assert first.next_cursor
    second = queue_page(office.receiver, "assign", page_size=2, cursor=first.next_cursor)
    assert [r.dossier.code for r in second.rows] == [codes[1]]
    assert second.next_cursor is None
    with pytest.raises(BadInput):
        queue_page(office.receiver, "assign", cursor="not-a-cursor")


def test_search_by_code_applicant_without_diacritics_and_procedure(office):
    other = make_applicant(username="binh", id_number="079185009999", name="Trần Thị Bình")
    mine = counter_dossier(office)
    theirs = counter_dossier(office, applicant=other)
    found = queue_page(office.receiver, "assign", search="tran thi binh").rows
    assert [r.dossier.code for r in found] == [theirs.code]
    found = queue_page(office.receiver, "assign", search=mine.code[:-2]).rows
    assert mine.code in [r.dossier.code for r in found]
    found = queue_page(office.receiver, "assign", search="tro cap that nghiep").rows
    assert len(found) == 2
    found = queue_page(office.receiver, "assign", procedure_id=office.version.procedure_id).rows
    assert len(found) == 2
    # The folded name is stored at submission and searched by prefix (family name first).
    assert Dossier.objects.get(pk=theirs.pk).applicant_name_folded == "tran thi binh"
    assert [r.dossier.code for r in queue_page(office.receiver, "assign", search="Trần Th").rows] == [theirs.code]
    assert queue_page(office.receiver, "assign", search="binh").rows == []  # not a prefix of the name
    assert queue_page(office.receiver, "assign", search="khong co ai").rows == []


def test_search_pages_by_keyset_without_truncation(office):
    """Matches beyond any scan window are found, in queue order, page after page."""
    other = make_applicant(username="binh", id_number="079185009999", name="Đặng Thị Bình")
    now = timezone.now()
    codes = [counter_dossier(office, applicant=other, when=now - timedelta(days=d)).code for d in (30, 20, 10)]
    counter_dossier(office)  # demo.citizen: not found by the name
    first = queue_page(office.receiver, "assign", search="dang thi", page_size=2)
    assert [r.dossier.code for r in first.rows] == codes[:2]
    second = queue_page(office.receiver, "assign", search="dang thi", page_size=2, cursor=first.next_cursor)
    assert [r.dossier.code for r in second.rows] == codes[2:]
    assert second.next_cursor is None
    # Name and procedure matches merge without duplicates.
    both = queue_page(office.receiver, "assign", search="tro cap that nghiep", page_size=10)
    assert len({r.dossier.code for r in both.rows}) == len(both.rows) == 4


def _supplement_cycle(office, dossier, *, requester, answerer):
    dossier = dossier_act(
        actor=requester, code=dossier.code, action="request_supplement", version=dossier.version, note="Thiếu giấy tờ"
    )
    return dossier, lambda: dossier_supplement_answer(
        user=answerer, code=dossier.code, version=dossier.version, note="Đã nộp bản sao"
    )


def _keys(page):
    return [row.dossier.code for row in page.rows]


def test_supplements_that_came_back_before_and_after_receipt(office):
    # Before receipt: back in status 1, in "supplemented" and not also in "receive".
    early = counter_dossier(office, receive=False)
    early, answer = _supplement_cycle(office, early, requester=office.receiver, answerer=office.receiver)
    waiting = queue_page(office.receiver, "waiting")
    assert _keys(waiting) == [early.code]
    assert waiting.rows[0].supplemented is False  # still waiting for the applicant: not "Đã bổ sung"
    assert _counts(office.receiver)["supplemented"] == 0
    answer()
    assert _counts(office.receiver)["supplemented"] == 1
    assert _counts(office.receiver)["receive"] == 0
    page = queue_page(office.receiver, "supplemented")
    assert _keys(page) == [early.code] and page.rows[0].supplemented is True
    # The receiver acts on it (receives it): looked at, it moves on to "assign" only.
    early = Dossier.objects.get(pk=early.pk)
    dossier_act(actor=office.receiver, code=early.code, action="receive", version=early.version)
    assert _counts(office.receiver)["supplemented"] == 0
    assert _counts(office.receiver)["assign"] == 1
    assert queue_page(office.receiver, "assign").rows[0].supplemented is False

    # After receipt, in processing: the applicant answers; it comes back to its handler.
    late = counter_dossier(office)
    late = dossier_act(
        actor=office.receiver,
        code=late.code,
        action="assign",
        version=late.version,
        params={"handler": "demo.specialist"},
    )
    assert _counts(office.specialist)["process"] == 1
    late, answer = _supplement_cycle(office, late, requester=office.specialist, answerer=office.citizen)
    assert _counts(office.specialist)["supplemented"] == 0
    answer()
    counts = _counts(office.specialist)
    assert counts["supplemented"] == 1 and counts["process"] == 0  # counted once
    assert _keys(queue_page(office.specialist, "supplemented")) == [late.code]
    # Not someone else's: the receiver and another agency do not see it as theirs.
    assert late.code not in _keys(queue_page(office.receiver, "supplemented"))
    assert _counts(office.ward_receiver)["supplemented"] == 0
    # The handler's next action clears it.
    late = Dossier.objects.get(pk=late.pk)
    dossier_act(actor=office.specialist, code=late.code, action="forward", version=late.version)
    assert _counts(office.specialist)["supplemented"] == 0


def _plan(queryset) -> str:
    return queryset.explain()


@pytest.mark.parametrize(
    ("user", "key", "index"),
    [
        ("receiver", "receive", "dossier_queue"),
        ("receiver", "supplemented", "dossier_supplemented"),
        ("receiver", "assign", "dossier_queue"),
        ("receiver", "return", "dossier_queue"),
        # Status 5 mixes dossiers with and without a due date: oldest first on the agency's index.
        ("receiver", "waiting", "dossiers_dossier_current_agency_id"),
        ("specialist", "process", "dossier_handler_queue"),
        ("leader", "approve", "dossier_queue"),
        ("leader", "transferred_in", "dossier_queue"),
        # Running clocks by due time: found and ordered by the index.
        ("leader", "due_soon", "dossier_running_due"),
        # Pending proposals: found from their own partial index, then each dossier by its key.
        ("leader", "extension_proposals", "extension_proposal_pending"),
    ],
)
def test_every_queue_is_served_by_an_index(office, user, key, index):
    if connection.vendor != "sqlite":
        pytest.skip("plans checked on SQLite here; PostgreSQL plans depend on statistics")
    counter_dossier(office)
    plan = _plan(queue_queryset(getattr(office, user), key))
    if key == "extension_proposals":
        assert f"USING INDEX {index}" in plan, plan
        assert "SEARCH dossiers_dossier USING INTEGER PRIMARY KEY" in plan, plan
        assert "SCAN dossiers_dossier" not in plan, plan
        return
    assert f"SEARCH dossiers_dossier USING INDEX {index}" in plan, plan
    assert "SCAN dossiers_dossier" not in plan, plan
    # Ordered by the index itself: no sort of the whole queue.
    assert "TEMP B-TREE" not in plan, plan


@pytest.mark.parametrize("key", ["receive", "assign", "process", "approve", "return", "due_soon", "supplemented"])
@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("nguyen van", "dossier_search_name"),
        ("tro cap that nghiep", "dossier_search_procedure"),
        # A code prefix walks the queue's own index in order (codes are dense: a prefix can name
        # a whole agency-year, where the unique index would read far more).
        ("000.00.31.H29-2601", "SEARCH dossiers_dossier USING"),
    ],
)
def test_every_search_is_served_by_an_index(office, key, text, index):
    """Every query a search runs finds its rows by an index (a sort of the matches is fine)."""
    if connection.vendor != "sqlite":
        pytest.skip("plans checked on SQLite here; PostgreSQL plans depend on statistics")
    counter_dossier(office)
    user = {"approve": office.leader, "due_soon": office.leader, "process": office.specialist}.get(key, office.receiver)
    plans = [_plan(queryset) for queryset in search_querysets(queue_queryset(user, key), text)]
    # Queues whose own index is already a short window (due within days, supplements not yet
    # looked at) may be read by it instead, as the planner likes.
    accepted = {index, {"due_soon": "dossier_running_due", "supplemented": "dossier_supplemented"}.get(key, index)}
    assert any(name in plan for plan in plans for name in accepted), plans
    for plan in plans:
        assert "SCAN dossiers_dossier" not in plan, plan


def test_keyset_pages_reach_rows_without_a_due_date_on_every_database(office):
    """SQLite sorts rows without a due date first, PostgreSQL last: paging must reach them on both."""
    now = timezone.now()
    codes = {counter_dossier(office, when=now - timedelta(days=days)).code for days in (30, 10, 3)}
    undated = sorted(codes)[1]
    Dossier.objects.filter(code=undated).update(due_at=None)
    seen, cursor = [], None
    for _ in range(5):
        page = queue_page(office.receiver, "assign", page_size=1, cursor=cursor)
        seen += [row.dossier.code for row in page.rows]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(codes)
    assert len(seen) == len(codes)
