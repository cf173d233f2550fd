"""Benchmark of the officers' work queues over millions of dossiers.

    .venv/bin/python bench/queues_bench.py [--dossiers 1000000] [--runs 30] [--reuse] [--no-write]

Builds its own database — a fresh SQLite file var/bench/queues.sqlite3 (migrated), or the
empty database DATABASE_URL names — seeds the demo agencies, catalogue and officers
(`seed_demo`), then inserts N synthetic dossiers with raw executemany INSERTs in batches of
10,000: ten agencies, the demo Sở Nội vụ (000.00.31.H29) holding ~20 %, ~88 % finished
(returned, refused, stopped), the rest open (statuses 1–9) with due dates spread over months,
handled by a handful of officers. On SQLite the secondary indexes are dropped during the load
and re-created afterwards from their own DDL (the same indexes, built faster).

Then times, after a warm-up, `queue_counts(user)` for demo.receiver, demo.specialist and
demo.leader, the first page and a deep page (cursors followed a few pages) of every queue, and
the code-prefix search; prints p50/p95 per operation, the plan of every queue (failing loudly
on a full SCAN of dossiers_dossier or a TEMP B-TREE for ORDER BY, except where queues.py
documents it) and the peak RSS; records them in docs/benchmarks.md (its own section, between
markers). Never touches var/motcua.sqlite3 or the test databases.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

BENCH_DB = ROOT / "var" / "bench" / "queues.sqlite3"
BATCH = 10_000
HOME_AFFAIRS_SHARE = 0.20
OFFICERS = ("demo.receiver", "demo.specialist", "demo.leader")
# (queue key, user) — every queue, for a user who has it.
QUEUE_USERS = (
    ("receive", "demo.receiver"),
    ("supplemented", "demo.receiver"),
    ("assign", "demo.receiver"),
    ("return", "demo.receiver"),
    ("waiting", "demo.receiver"),
    ("process", "demo.specialist"),
    ("transferred_in", "demo.leader"),
    ("approve", "demo.leader"),
    ("due_soon", "demo.leader"),
)
# What queues.py and tests/backoffice/test_queues.py document as accepted in a plan.
SORT_ALLOWED: set[str] = set()  # every queue is ordered by its index (due_soon by dossier_running_due)
# Status → share of all dossiers. Finished dominate; ~10 % are open.
STATUS_SHARES = {
    10: 0.860,  # RETURNED
    3: 0.010,  # REFUSED
    8: 0.010,  # STOPPED
    9: 0.020,  # RESOLVED (waiting to be returned)
    1: 0.015,  # SUBMITTED
    2: 0.010,  # RECEIVED
    4: 0.060,  # PROCESSING
    5: 0.010,  # SUPPLEMENT_REQUESTED
    6: 0.004,  # PAYMENT_DUE
    7: 0.001,  # WITHDRAWAL_REQUESTED
}
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Minh", "Quốc", "Thu", "Ngọc", "Hữu", "Thanh", "Đức", "Bảo"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phúc", "Quân"]


# --- database -------------------------------------------------------------------------------


def setup_database(*, reuse: bool) -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        BENCH_DB.parent.mkdir(parents=True, exist_ok=True)
        if not reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{BENCH_DB}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{BENCH_DB}"
    elif "motcua.sqlite3" in url or "test-motcua" in url or "test_" in url.rsplit("/", 1)[-1]:
        sys.exit(f"refusing DATABASE_URL={url}: the development or a test database; give an empty one")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)
    call_command("seed_demo", verbosity=0)


def sqlite_tuning() -> None:
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size=-262144")  # 256 MiB page cache


# --- data -----------------------------------------------------------------------------------


def pick_status(rng: random.Random) -> int:
    roll, total = rng.random(), 0.0
    for status, share in STATUS_SHARES.items():
        total += share
        if roll < total:
            return status
    return 10


def generate(total: int, rng: random.Random) -> float:
    """Insert `total` dossiers; returns the seconds it took."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from motcua.accounts.models import OfficerMembership, User
    from motcua.catalog.models import ProcedureAgency, ProcedureVersion
    from motcua.core.codes import format_dossier_code
    from motcua.directory import seed as directory_seed
    from motcua.directory.models import Agency
    from motcua.dossiers.models import Dossier

    started = time.perf_counter()
    home = Agency.objects.get(code=directory_seed.HOME_AFFAIRS_CODE)
    others = list(Agency.objects.filter(level="department").exclude(pk=home.pk).order_by("code")[:7]) + list(
        Agency.objects.filter(level="commune").order_by("code")[:2]
    )
    agencies = [home, *others]
    weights = [HOME_AFFAIRS_SHARE] + [(1 - HOME_AFFAIRS_SHARE) / len(others)] * len(others)

    # Procedures each agency receives (any version in force if the catalogue links none).
    versions = list(ProcedureVersion.objects.filter(status="active").values_list("id", "procedure_id"))
    by_agency: dict[int, list[tuple[int, int]]] = {}
    for version_id, procedure_id, agency_id in ProcedureAgency.objects.filter(version__status="active").values_list(
        "version_id", "version__procedure_id", "agency_id"
    ):
        by_agency.setdefault(agency_id, []).append((version_id, procedure_id))
    procedures = {a.pk: by_agency.get(a.pk) or versions for a in agencies}

    # Applicants: a few thousand citizens; officers: the demo ones plus a handful per agency.
    password = make_password(None)
    User.objects.bulk_create(
        [
            User(username=f"bench.citizen{i}", password=password, kind=User.Kind.CITIZEN, full_name="")
            for i in range(3000)
        ],
        ignore_conflicts=True,
    )
    applicants = list(User.objects.filter(username__startswith="bench.citizen").values_list("id", flat=True))
    handlers: dict[int, dict[str, list[int]]] = {}
    demo = {u.username: u.pk for u in User.objects.filter(username__in=OFFICERS)}
    for agency in agencies:
        staff: dict[str, list[int]] = {"specialist": [], "leader": []}
        for role, count in (("specialist", 4), ("leader", 2)):
            for i in range(count):
                user, _ = User.objects.get_or_create(
                    username=f"bench.{agency.pk}.{role}{i}",
                    defaults={"kind": User.Kind.OFFICER, "password": password, "full_name": f"Cán bộ {i}"},
                )
                OfficerMembership.objects.get_or_create(user=user, agency=agency, role=role)
                staff[role].append(user.pk)
        handlers[agency.pk] = staff
    handlers[home.pk]["specialist"].append(demo["demo.specialist"])
    handlers[home.pk]["leader"].append(demo["demo.leader"])

    fields = [f for f in Dossier._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    constant = {f.column: f.get_db_prep_save(f.get_default(), connection) for f in fields}
    adapt = connection.ops.adapt_datetimefield_value
    sql = (
        f"INSERT INTO {Dossier._meta.db_table} ({', '.join(connection.ops.quote_name(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    now = datetime.now(UTC).replace(microsecond=0)
    sequence: dict[tuple[str, object], int] = {}
    dropped = drop_secondary_indexes()
    with connection.cursor() as cursor:
        rows: list[list[object]] = []
        for n in range(total):
            agency = rng.choices(agencies, weights)[0]
            version_id, procedure_id = rng.choice(procedures[agency.pk])
            status = pick_status(rng)
            # Finished dossiers spread over the past year; open ones over the past month (new
            # submissions over the past few days); due 10–90 days after receipt, so ~8 % of the
            # open ones are late (a pessimistic share: the province's on-time rate is ~95 %).
            finished_status = status in (3, 8, 10)
            age = timedelta(days=rng.uniform(0, 365 if finished_status else 3 if status == 1 else 30))
            submitted = now - age - timedelta(hours=rng.uniform(1, 12))
            day = (submitted + timedelta(hours=7)).date()
            key = (agency.code, day)
            sequence[key] = sequence.get(key, 0) + 1
            applicant = rng.choice(applicants)
            row = dict(constant)
            current, home_agency, handler = agency.pk, agency.pk, None
            received = due = resolved = returned = finished = paused = None
            clock, step_index, on_time, transferred = "not_started", -1, None, False
            supplements = 1 if rng.random() < 0.08 else 0
            if status not in (1, 3):  # received: the clock runs towards a due date
                received = submitted + timedelta(hours=rng.uniform(1, 30))
                due = received + timedelta(days=rng.randint(10, 90), hours=rng.randint(0, 8))
                clock = "running"
                step_index = 1
            if status == 5:
                clock, paused = "paused", now - timedelta(days=rng.uniform(0, 20))
                supplements = 1
                if rng.random() < 0.5:  # asked before receipt: no due date yet
                    received = due = None
            elif status == 6:
                clock, paused = "paused", now - timedelta(days=rng.uniform(0, 5))
            elif status == 4:
                step_index = rng.randint(1, 3)
                role = "leader" if step_index >= 2 else "specialist"
                handler = rng.choice(handlers[agency.pk][role])
                if rng.random() < 0.03:  # out at a partner agency (liên thông)
                    partner = home if agency is not home and rng.random() < 0.5 else rng.choice(agencies)
                    if partner is not agency:
                        current, transferred, handler = partner.pk, True, None
            elif status in (9, 10, 8):
                resolved = min(now, max(received + timedelta(days=1), due - timedelta(days=rng.uniform(-3, 60))))
                on_time = resolved <= due
                clock, step_index = "stopped", 3
                if status == 10:
                    returned = finished = min(now, resolved + timedelta(days=rng.uniform(0, 5)))
                elif status == 8:
                    finished = resolved
            elif status == 3:
                finished = submitted + timedelta(days=rng.uniform(0, 2))
            row.update(
                code=format_dossier_code(agency.code, day, sequence[key]),
                procedure_id=procedure_id,
                procedure_version_id=version_id,
                applicant_id=applicant,
                submitted_by_id=applicant,
                applicant_name=f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                applicant_id_number=f"079{rng.randrange(10**9):09d}",
                channel=rng.choice((1, 2, 2, 3)),
                receiving_agency_id=agency.pk,
                current_agency_id=current,
                home_agency_id=home_agency,
                current_handler_id=handler,
                status=status,
                clock=clock,
                step_index=step_index,
                step_count=4,
                first_step_index=1,
                approval_step_index=2,
                transferred_out=transferred,
                supplement_requests=supplements,
                submitted_at=adapt(submitted),
                received_at=adapt(received),
                due_at=adapt(due),
                original_due_at=adapt(due),
                resolved_at=adapt(resolved),
                returned_at=adapt(returned),
                finished_at=adapt(finished),
                paused_at=adapt(paused),
                on_time=on_time,
                created_at=adapt(submitted),
                updated_at=adapt(finished or received or submitted),
            )
            rows.append([row[c] for c in columns])
            if len(rows) >= BATCH or n == total - 1:
                with transaction.atomic():
                    cursor.executemany(sql, rows)
                rows = []
                if (n + 1) % 100_000 == 0:
                    print(f"  {n + 1:>9,} dossiers, {time.perf_counter() - started:.0f} s", flush=True)
    restore_indexes(dropped)
    if connection.vendor == "postgresql":  # autovacuum would: statistics, and the visibility map for counts
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {Dossier._meta.db_table}")
    return time.perf_counter() - started


def drop_secondary_indexes() -> list[str]:
    """SQLite only: drop the dossier table's indexes (kept as DDL) for a faster bulk load."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'dossiers_dossier' "
            "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'"
        )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [ddl for _, ddl in found]


def restore_indexes(ddls: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for ddl in ddls:
            cursor.execute(ddl)


# --- measuring ------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(fn, runs: int) -> tuple[float, float, object]:
    result = fn()  # warm-up
    fn()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        timings.append((time.perf_counter() - started) * 1000)
    return percentile(timings, 50), percentile(timings, 95), result


def plan_of(queryset) -> str:
    return queryset.explain()


def plan_indexes(plan: str) -> str:
    import re

    names = re.findall(r"dossiers_dossier (?:AS \w+ )?USING (?:COVERING )?INDEX (\w+)", plan)
    names += re.findall(r"Index (?:Only )?Scan(?: Backward)? using (\w+) on dossiers_dossier", plan)
    names += re.findall(r"Bitmap Index Scan on (\w+)", plan)
    return ", ".join(dict.fromkeys(names)) or "—"


def check_plan(key: str, plan: str, vendor: str) -> list[str]:
    problems = []
    if vendor == "sqlite":
        for line in plan.splitlines():
            if "SCAN dossiers_dossier" in line and "INDEX" not in line:
                problems.append(f"{key}: full table scan: {line.strip()}")
            if "TEMP B-TREE" in line and key not in SORT_ALLOWED:
                problems.append(f"{key}: sorts the queue: {line.strip()}")
    elif "Seq Scan on dossiers_dossier" in plan:
        problems.append(f"{key}: sequential scan of dossiers_dossier")
    return problems


def follow(user, key: str, pages: int):
    from motcua.dossiers.queues import queue_page

    """The cursor of the deepest page reached within `pages` pages, and that page's number."""
    cursor, number = queue_page(user, key).next_cursor, 2
    while cursor and number <= pages:
        following = queue_page(user, key, cursor=cursor).next_cursor
        if not following:
            break
        cursor, number = following, number + 1
    return cursor, number


def measure(runs: int, deep: int) -> tuple[list[tuple[str, str, int, float, float, str]], list[str], dict]:
    from django.db import connection

    from motcua.accounts.models import User
    from motcua.dossiers.queues import queue_counts, queue_page, queue_queryset

    users = {u.username: u for u in User.objects.filter(username__in=OFFICERS)}
    vendor = connection.vendor
    results: list[tuple[str, str, int, float, float, str]] = []
    problems: list[str] = []
    plans: dict[str, str] = {}
    for username in OFFICERS:
        p50, p95, counts = timed(lambda u=users[username]: queue_counts(u), runs)
        total = sum(c.count for c in counts)
        results.append((f"queue_counts ({len(counts)} queues)", username, total, p50, p95, "each queue's, below"))
        print(f"  counts {username}: {', '.join(f'{c.spec.key}={c.count}' for c in counts)}", flush=True)
    for key, username in QUEUE_USERS:
        user = users[username]
        queryset = queue_queryset(user, key)
        plan = plan_of(queryset)
        plans[key] = plan
        problems += check_plan(key, plan, vendor)
        size = queryset.count()
        index = plan_indexes(plan)
        p50, p95, _ = timed(lambda u=user, k=key: queue_page(u, k), runs)
        results.append((f"{key}: first page", username, size, p50, p95, index))
        cursor, number = follow(user, key, deep)
        if cursor:
            p50, p95, _ = timed(lambda u=user, k=key, c=cursor: queue_page(u, k, cursor=c), runs)
            results.append((f"{key}: page {number} (cursor)", username, size, p50, p95, index))
    # Code-prefix search: an agency-day prefix (000.00.31.H29-yymmdd), as an officer types it.
    for key, username in (("assign", "demo.receiver"), ("process", "demo.specialist"), ("due_soon", "demo.leader")):
        sample = queue_queryset(users[username], key).values_list("code", flat=True)[:1]
        if not sample:
            continue
        prefix = sample[0].rsplit("-", 1)[0]  # 000.00.31.H29-yymmdd: one agency's day
        p50, p95, page = timed(lambda u=users[username], k=key, s=prefix: queue_page(u, k, search=s), runs)
        plan = plan_of(queue_queryset(users[username], key).filter(code__istartswith=prefix.upper())[:26])
        plans[f"{key} + code search"] = plan
        results.append((f"{key}: code search `{prefix}`", username, len(page.rows), p50, p95, plan_indexes(plan)))
    return results, problems, plans


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- report ---------------------------------------------------------------------------------


def write_report(text: str) -> None:
    target = ROOT / "docs" / "benchmarks.md"
    start, end = "<!-- work-queues:start -->", "<!-- work-queues:end -->"
    block = f"{start}\n{text.rstrip()}\n{end}\n"
    current = target.read_text(encoding="utf-8") if target.exists() else "# Benchmarks\n\n"
    if start in current and end in current:
        before, rest = current.split(start, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        current = before + block + ("\n" + after if after else "")
    else:
        current = current.rstrip() + "\n\n" + block
    target.write_text(current, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30, help="timed runs per operation, after a warm-up")
    parser.add_argument("--deep", type=int, default=5, help="pages followed by cursor for the deep page")
    parser.add_argument("--reuse", action="store_true", help="keep an already generated database")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()
    setup_database(reuse=args.reuse)
    sqlite_tuning()

    from django.db import connection

    from motcua.dossiers.models import Dossier

    existing = Dossier.objects.count()
    if existing and not args.reuse:
        sys.exit(f"the database already holds {existing} dossiers: give an empty one, or --reuse a bench database")
    generation = "reused"
    if not existing:
        print(f"generating {args.dossiers:,} dossiers …", flush=True)
        seconds = generate(args.dossiers, random.Random(20260101))
        generation = f"{seconds:.0f} s"
    total = Dossier.objects.count()
    print(f"{total:,} dossiers ({generation}); measuring …", flush=True)
    results, problems, plans = measure(args.runs, args.deep)

    for key, plan in plans.items():
        print(f"\n-- plan: {key}\n{plan}")
    lines = [
        f"| {op} | {user} | {size:,} | {p50:.2f} | {p95:.2f} | {index} |" for op, user, size, p50, p95, index in results
    ]
    slow = [f"{op} ({user}): p95 {p95:.1f} ms" for op, user, _, _, p95, _ in results if p95 > 50]
    engine = f"SQLite {sqlite3.sqlite_version}, no ANALYZE" if connection.vendor == "sqlite" else connection.vendor
    plans_verdict = (
        "no full table scan, no sort: every queue is read in order from its index"
        if not problems
        else "PROBLEMS: " + "; ".join(problems)
    )
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs (shared), Python {platform.python_version()}"
    report = f"""## Work queues (`bench/queues_bench.py`)

Run `nice -n 10 .venv/bin/python bench/queues_bench.py` (`--dossiers N`, default 1 000 000;
`--runs`, `--deep`; `--reuse` measures an already generated database again; `--no-write`).
It builds `var/bench/queues.sqlite3` (or uses the empty database `DATABASE_URL` names).

Data: {total:,} dossiers in ten agencies, the demo Sở Nội vụ (000.00.31.H29) holding ~20 %;
~88 % finished (returned, refused, stopped) over the past year, the rest open (statuses 1–9)
over the past month, due 10–90 days after receipt (~8 % of the open ones late); 3 % of those
being processed are out at a partner agency; handlers among ~7 officers per agency.
Generation: {generation} (raw INSERTs in batches of 10 000; on SQLite the indexes are rebuilt
after the load from their own DDL). {engine}.

Each line is {args.runs} timed calls after a warm-up: `queue_counts(user)` (one COUNT per queue of
the officer, with the membership look-ups), `queue_page(user, key)` (first page: 25 rows with
their procedure version, handler and agency, and the late / due-soon marks), the page reached
by following cursors (up to {args.deep}), and a code-prefix search (`search=` an agency-day prefix
such as `000.00.31.H29-261020`). "Rows": the queue's size (for `queue_counts` the sum of the
counts; for a search the rows found). "Index": what EXPLAIN QUERY PLAN names for dossiers_dossier.

| operation | user | rows | p50 ms | p95 ms | index |
|---|---|---:|---:|---:|---|
{chr(10).join(lines)}

Plans: {plans_verdict}.
Slow (p95 > 50 ms): {"; ".join(slow) if slow else "none"}.
Peak RSS of the run (generation included): {peak_rss_mb():.0f} MB.

Machine: {machine}, {time.strftime("%Y-%m-%d")}.
"""
    print(report)
    if problems:
        print("PLAN PROBLEMS:\n  " + "\n  ".join(problems), file=sys.stderr)
    if not args.no_write:
        write_report(report)
        print("→ docs/benchmarks.md")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
