"""Work queues: who sees what, counts, due-time order, keyset pages, search, and the plans."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from motcua.core.errors import BadInput, NotFound
from motcua.dossiers.queues import queue_counts, queue_page, queue_queryset, queues_for_officer
from motcua.dossiers.services import dossier_act
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


def _plan(queryset) -> str:
    return queryset.explain()


@pytest.mark.parametrize(
    ("user", "key", "index"),
    [
        ("receiver", "receive", "dossier_queue"),
        ("receiver", "supplemented", "dossier_queue"),
        ("receiver", "assign", "dossier_queue"),
        ("receiver", "return", "dossier_queue"),
        # Status 5 mixes dossiers with and without a due date: oldest first on the agency's index.
        ("receiver", "waiting", "dossiers_dossier_current_agency_id"),
        ("specialist", "process", "dossier_handler_queue"),
        ("leader", "approve", "dossier_queue"),
        ("leader", "transferred_in", "dossier_queue"),
        # Running clocks by due time: found and ordered by the index.
        ("leader", "due_soon", "dossier_running_due"),
    ],
)
def test_every_queue_is_served_by_an_index(office, user, key, index):
    if connection.vendor != "sqlite":
        pytest.skip("plans checked on SQLite here; PostgreSQL plans depend on statistics")
    counter_dossier(office)
    plan = _plan(queue_queryset(getattr(office, user), key))
    assert f"SEARCH dossiers_dossier USING INDEX {index}" in plan, plan
    assert "SCAN dossiers_dossier" not in plan, plan
    # Ordered by the index itself: no sort of the whole queue.
    assert "TEMP B-TREE" not in plan, plan
