"""Recompute every dossier's hash chain and report the first broken link of each."""

from collections.abc import Iterator
from dataclasses import dataclass

from motcua.dossiers.hashing import GENESIS, event_digest, event_fields
from motcua.dossiers.models import DossierEvent


@dataclass(frozen=True)
class BrokenLink:
    dossier_code: str
    seq: int
    reason: str


def verify_dossier_logs(*, dossier_codes: list[str] | None = None, batch: int = 5000) -> Iterator[BrokenLink]:
    """Stream events in (dossier, seq) order; yields one BrokenLink per damaged dossier.

    Every change of a dossier bumps its version and writes one event, so a chain must end at
    event number `version`: that anchors the end, and removing the last event is caught too.
    """
    events = (
        DossierEvent.objects.select_related("dossier")
        .only("dossier__code", "dossier__version", *[f.name for f in DossierEvent._meta.concrete_fields])
        .order_by("dossier_id", "seq")
    )
    if dossier_codes:
        events = events.filter(dossier__code__in=dossier_codes)
    current: DossierEvent | None = None
    expected_prev, expected_seq, broken = GENESIS, 1, False
    for event in events.iterator(chunk_size=batch):
        if current is None or event.dossier_id != current.dossier_id:
            if current is not None and not broken and (tail := _tail_missing(current, expected_seq)):
                yield tail
            expected_prev, expected_seq, broken = GENESIS, 1, False
        current = event
        if broken:
            continue
        reason = None
        if event.seq != expected_seq:
            reason = f"expected event #{expected_seq}, found #{event.seq} (an event is missing)"
        elif event.prev_hash != expected_prev:
            reason = "prev_hash does not match the previous event (an event was removed or reordered)"
        elif event.hash != event_digest(prev_hash=event.prev_hash, fields=event_fields(event)):
            reason = "content does not match its hash (the event was altered)"
        if reason:
            broken = True
            yield BrokenLink(dossier_code=event.dossier.code, seq=event.seq, reason=reason)
            continue
        expected_prev, expected_seq = event.hash, expected_seq + 1
    if current is not None and not broken and (tail := _tail_missing(current, expected_seq)):
        yield tail


def _tail_missing(last: DossierEvent, next_seq: int) -> BrokenLink | None:
    if next_seq - 1 == last.dossier.version:
        return None
    return BrokenLink(
        dossier_code=last.dossier.code,
        seq=next_seq,
        reason=f"the log ends at event #{next_seq - 1} but the dossier is at version {last.dossier.version} "
        "(events at the end were removed)",
    )
