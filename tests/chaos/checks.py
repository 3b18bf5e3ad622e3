"""What must hold once the system is quiet after the faults, and what a replay must not
change. Each check returns a list of problems (empty when it holds), so that "wait until
quiet" and "assert" use the same code."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.system import System, report_viewer

from .driver import HOME, Worker

SERVICES = ("registration", "loans", "notifications", "reporting")
INBOX = {"reporting": "rp.inbox"}  # reporting keeps its inbox in the rebuildable schema


async def fetch(ns: Namespace, service: str, sql: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(ns.dsn(service), timeout=10)
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def until_quiet(
    check: Callable[[], Awaitable[list[str]]], timeout: float, what: str
) -> list[str]:
    """Polls `check` until it finds nothing wrong; returns the last problems otherwise."""
    deadline = asyncio.get_running_loop().time() + timeout
    problems = ["not checked"]
    while asyncio.get_running_loop().time() < deadline:
        try:
            problems = await check()
        except (OSError, asyncpg.PostgresError, httpx.HTTPError) as exc:
            problems = [f"{what}: {exc!r}"]
        if not problems:
            return []
        await asyncio.sleep(2.0)
    return problems


# --- Kafka -----------------------------------------------------------------------------------


async def topic_events(ns: Namespace) -> dict[str, list[Envelope]]:
    """Every record of every topic of the namespace (dead-letter topics included)."""
    return {spec.name: await _read(ns, spec.name) for spec in ns.topics.all_specs(1)}


async def _read(ns: Namespace, topic: str) -> list[Envelope]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=ns.infra.kafka_bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list[Envelope] = []
    try:
        parts = consumer.partitions_for_topic(topic) or set()
        ends = await consumer.end_offsets([TopicPartition(topic, p) for p in parts])
        deadline = asyncio.get_running_loop().time() + 120
        while sum(ends.values()) > len(records):
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{topic}: read {len(records)} of {sum(ends.values())}")
            batch = await consumer.getmany(timeout_ms=1000)
            for part in batch.values():
                records.extend(Envelope.from_bytes(r.value) for r in part if r.value)
    finally:
        await consumer.stop()
    return records


async def group_lag(bootstrap: str, prefix: str) -> dict[str, int]:
    """Messages each consumer group has not committed yet, over its partitions of the
    namespace's topics (group names are not per namespace; topic names are)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await admin.start()
    await consumer.start()
    try:
        lag: dict[str, int] = {}
        for group, _ in await admin.list_consumer_groups():
            committed = await _committed(admin, group, prefix)
            ends = await consumer.end_offsets(list(committed))
            lag[group] = sum(ends[tp] - max(meta.offset, 0) for tp, meta in committed.items())
        return lag
    finally:
        await consumer.stop()
        await admin.close()


async def _committed(admin: AIOKafkaAdminClient, group: str, prefix: str) -> dict[Any, Any]:
    offsets = await admin.list_consumer_group_offsets(group)
    return {tp: meta for tp, meta in offsets.items() if tp.topic.startswith(prefix)}


async def reset_groups_to_zero(bootstrap: str, prefix: str) -> dict[str, int]:
    """Every consumer group back to offset 0 on every partition it had (the services are
    stopped, so the groups are empty and accept the commit). Returns partitions per group."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    reset: dict[str, int] = {}
    try:
        groups = [g for g, _ in await admin.list_consumer_groups()]
        for group in groups:
            committed = await _committed(admin, group, prefix)
            if not committed:
                continue
            consumer = AIOKafkaConsumer(
                bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
            )
            await consumer.start()
            try:
                consumer.assign(list(committed))
                await consumer.commit({tp: 0 for tp in committed})
            finally:
                await consumer.stop()
            reset[group] = len(committed)
    finally:
        await admin.close()
    return reset


# --- the checks ------------------------------------------------------------------------------


async def outbox_problems(ns: Namespace) -> list[str]:
    problems = []
    for service in SERVICES:
        [row] = await fetch(ns, service, "SELECT count(*) FROM outbox WHERE published_at IS NULL")
        if row[0]:
            problems.append(f"{service}: {row[0]} outbox rows not published")
    return problems


async def lag_problems(ns: Namespace) -> list[str]:
    lag = await group_lag(ns.infra.kafka_bootstrap, ns.prefix)
    return [f"consumer group {g} is {n} behind" for g, n in sorted(lag.items()) if n]


async def inbox_problems(ns: Namespace, events: dict[str, list[Envelope]]) -> list[str]:
    """Every consumer's inbox holds every event of the types it handles (a type it handles
    is one it has recorded at least once; types it ignores are never recorded). Reporting's
    projection inbox keeps event ids only, for its three streams together."""
    type_of = {
        e.event_id: e.event_type
        for topic, envelopes in events.items()
        if not topic.endswith(".dlq")
        for e in envelopes
    }
    by_type: dict[str, set[Any]] = defaultdict(set)
    for event_id, event_type in type_of.items():
        by_type[event_type].add(event_id)
    problems = []
    for service in SERVICES:
        if service in INBOX:
            rows = await fetch(ns, service, f"SELECT event_id FROM {INBOX[service]}")
            entries = [(service, type_of.get(r[0], "?"), r[0]) for r in rows]
        else:
            rows = await fetch(ns, service, "SELECT consumer, event_type, event_id FROM inbox")
            entries = [(r[0], r[1], r[2]) for r in rows]
        held: dict[tuple[str, str], set[Any]] = defaultdict(set)
        for consumer, event_type, event_id in entries:
            held[(consumer, event_type)].add(event_id)
        for (consumer, event_type), ids in sorted(held.items()):
            if missing := by_type[event_type] - ids:
                problems.append(f"{consumer}: {len(missing)} {event_type} events not applied")
    dead = {t: len(v) for t, v in events.items() if t.endswith(".dlq") and v}
    if dead:
        problems.append(f"dead-lettered records: {dead}")
    return problems


async def stage_problems(system: System, workers: list[Worker]) -> list[str]:
    headers = system.namespace.auth(Role.LABOUR_OFFICER, province="86")
    problems = []
    async with local_client(timeout=30) as client:
        for w in workers:
            answer = await client.get(
                f"{system.url('registration')}/registrations/{w.registration_id}/journey",
                headers=headers,
            )
            stage = answer.json().get("stage")
            if stage != w.reached:
                problems.append(f"{w.registration_id}: stage {stage}, driver reached {w.reached}")
    return problems


async def disbursement_problems(ns: Namespace, workers: list[Worker]) -> list[str]:
    loans = {w.application_id for w in workers if w.path == "loan"}
    paid = await fetch(ns, "loans", "SELECT loan_application_id FROM disbursement")
    events = await fetch(
        ns, "loans", "SELECT envelope FROM outbox WHERE event_type = 'LoanDisbursed'"
    )
    announced = Counter(
        str(Envelope.from_bytes(bytes(r["envelope"])).payload["loan_application_id"])
        for r in events
    )
    problems = []
    if sorted(str(r[0]) for r in paid) != sorted(loans):
        problems.append(f"disbursements {len(paid)} for {len(loans)} loans driven")
    doubled = {k: n for k, n in announced.items() if n != 1}
    if doubled or set(announced) != loans:
        problems.append(f"LoanDisbursed events per loan not exactly one: {doubled}")
    return problems


async def sms_problems(system: System, workers: list[Worker]) -> list[str]:
    """Exactly one SMS at the gateway per (event, template) stored as sent, none left behind
    that is due, and the path's messages (loan and repayment ones included) all there."""
    ns = system.namespace
    rows = await fetch(
        ns,
        "notifications",
        "SELECT id, registration_id, template, status, next_attempt_at FROM sms_message",
    )
    now = dt.datetime.now(dt.UTC)
    mine: dict[str, list[asyncpg.Record]] = defaultdict(list)
    for r in rows:
        mine[str(r["registration_id"])].append(r)
    problems = []
    async with local_client(timeout=30) as client:
        for w in workers:
            answer = await client.get(
                f"{system.sms_gateway}/_admin/messages", params={"phone": w.phone}
            )
            received = Counter(str(m["request_id"]) for m in answer.json()["messages"])
            problems += _sms_of_worker(w, mine[w.registration_id], received, now)
    return problems


def _sms_of_worker(
    w: Worker, rows: list[asyncpg.Record], received: Counter[str], now: dt.datetime
) -> list[str]:
    sent = {str(r["id"]) for r in rows if r["status"] in ("sent", "delivered")}
    waiting = [
        r["template"] for r in rows if r["status"] == "pending" and r["next_attempt_at"] <= now
    ]
    bad = [(r["template"], r["status"]) for r in rows if r["status"] in _NEVER]
    problems = []
    if any(n != 1 for n in received.values()):
        problems.append(f"{w.registration_id}: a request id recorded twice: {received}")
    if set(received) != sent:
        problems.append(f"{w.registration_id}: gateway {len(received)} vs sent {len(sent)}")
    if waiting or bad:
        problems.append(f"{w.registration_id}: due but unsent {waiting}, dropped {bad}")
    templates = {r["template"] for r in rows if str(r["id"]) in sent}
    if missing := w.expected_templates() - templates:
        problems.append(f"{w.registration_id} ({w.path}): never sent {sorted(missing)}")
    return problems


_NEVER = ("awaiting_contact", "suppressed", "failed")  # every worker consented and has a phone


async def report_problems(system: System) -> list[str]:
    ns = system.namespace
    expected = await source_counts(ns)
    reported = await reported_counts(system)
    return [
        f"reporting {name}: {reported.get(name)} != {value} from the source databases"
        for name, value in sorted(expected.items())
        if reported.get(name) != value
    ]


async def source_counts(ns: Namespace) -> dict[str, int]:
    [reg] = await fetch(
        ns,
        "registration",
        """SELECT count(*) AS registered,
                  count(*) FILTER (WHERE status = 'abroad') AS abroad_now,
                  count(*) FILTER (WHERE status = 'returned_completed') AS returned_completed
           FROM registration WHERE commune_code = $1""",
        HOME,
    )
    [loans] = await fetch(
        ns,
        "loans",
        """SELECT count(*) AS applied,
                  count(*) FILTER (WHERE id IN (SELECT loan_application_id FROM disbursement))
                      AS disbursed,
                  (SELECT coalesce(sum(amount_vnd), 0) FROM disbursement) AS disbursed_vnd
           FROM loan_application WHERE commune_code = $1""",
        HOME,
    )
    return {k: int(v) for k, v in (dict(reg) | dict(loans)).items()}


async def reported_counts(system: System) -> dict[str, int]:
    base, headers = system.url("reporting"), report_viewer(system.namespace)
    async with local_client(timeout=30) as client:
        by_commune = await client.get(
            f"{base}/reports/registrations-by-commune",
            params={"commune_code": HOME},
            headers=headers,
        )
        loans = await client.get(f"{base}/reports/loans", params={"area": HOME}, headers=headers)
        follow = await client.get(
            f"{base}/reports/follow-up", params={"area": HOME}, headers=headers
        )
    counts: dict[str, int] = {}
    communes = by_commune.json()["communes"]
    counts["registered"] = int(communes[0]["registered"]) if communes else 0
    rows = [r for r in loans.json()["communes"] if r["commune_code"] == HOME]
    for name in ("applied", "disbursed", "disbursed_vnd"):
        counts[name] = int(rows[0][name] or 0) if rows else 0
    for name in ("abroad_now", "returned_completed"):
        counts[name] = int(follow.json()[name])
    return counts


# --- replay ----------------------------------------------------------------------------------

SNAPSHOTS = {
    "registration": ("registration", "journey_record"),
    "loans": ("loan_application", "disbursement", "installment"),
    "notifications": ("sms_message", "contact"),
}


async def snapshot(system: System) -> dict[str, object]:
    """A digest of every file, loan and message, and what the gateway received."""
    ns = system.namespace
    digests: dict[str, object] = {}
    for service, tables in SNAPSHOTS.items():
        for table in tables:
            [row] = await fetch(
                ns,
                service,
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
                f" FROM {table} t",
            )
            digests[f"{service}.{table}"] = (int(row[0]), row[1])
    async with local_client(timeout=30) as client:
        stats = (await client.get(f"{system.sms_gateway}/_admin/stats")).json()
    digests["gateway.recorded_messages"] = stats["recorded_messages"]
    digests["reporting"] = await reported_counts(system)
    return digests
