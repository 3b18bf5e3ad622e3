"""Benchmark: registrations per second through the HTTP API, against bare PostgreSQL inserts.

    uv run python -m bench.intake [--n 3000] [--concurrency 32]

Starts the registration service as its own process (uvicorn, one worker, real PostgreSQL, its
outbox relay publishing to real Kafka) in a throw-away namespace, then:

- **http**: N `POST /registrations` with distinct people, `--concurrency` requests in flight,
  from one httpx client on the same machine. Each request verifies the officer's ES256 token,
  validates every field, seals CCCD/phone/ethnicity/poverty, hashes the CCCD and name words, and
  commits the row, 4 consents, an audit row and the outbox event in one transaction.
- **bare row+outbox**: the same registration row and outbox row (pre-built values of the same
  shape), inserted in one transaction per registration straight through asyncpg, with the same
  concurrency and pool size as the service. No HTTP, no validation, no crypto.
- **bare full write**: as above plus the duplicate check, the 4 consent rows and the audit row:
  everything the service writes, minus everything it computes.

The relay keeps publishing during all three runs, as in production. Prints figures and the
ratios; asserts nothing except that every request succeeded and every event reached the outbox.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import httpx
from xkld_registration.adapters.postgres_store import ACTIVE_BY_CCCD
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.db.pool import create_pool
from xkld_shared.identity.principal import Role
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.kafka import submitted
from xkld_shared.testing.processes import ServiceProcess
from xkld_shared.testing.system import registration_body

from bench import wrk_load
from bench._common import load, namespace, print_table, rate

POOL_SIZE = 10  # the service's default `db_pool_max`
_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of processes (and their reaped children) so far, from /proc."""
    return sum(cpu_by_pid(pids).values())


def cpu_by_pid(pids: list[int]) -> dict[int, float]:
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue  # exited meanwhile
        found[pid] = sum(int(f) for f in fields[11:15]) / _TICKS
    return found


def bodies(n: int, offset: int) -> list[dict[str, object]]:
    """Distinct people: the serial is part of the CCCD, so no two collide."""
    return [
        registration_body(
            cccd=f"086200{offset + i:06d}",
            full_name="Nguyễn Văn Thành",
            hamlet="Ấp Tân Thạnh",
            priority_groups=["poor_household"],
            desired_market="JP_TITP",
            loan_wanted=True,
        )
        for i in range(n)
    ]


async def run_concurrently(
    jobs: int, concurrency: int, job: Callable[[int], Awaitable[None]]
) -> float:
    queue = iter(range(jobs))
    started = time.perf_counter()

    async def worker() -> None:
        for i in queue:
            await job(i)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


async def http_run(
    url: str, headers: dict[str, str], people: list[dict[str, object]], c: int
) -> float:
    limits = httpx.Limits(max_connections=c, max_keepalive_connections=c)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        failures: list[str] = []

        async def post(i: int) -> None:
            answer = await client.post(f"{url}/registrations", json=people[i], headers=headers)
            if answer.status_code != 201:
                failures.append(answer.text[:300])

        seconds = await run_concurrently(len(people), c, post)
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed, e.g. {failures[0]}")
    return seconds


_ROW = """INSERT INTO registration (id, full_name, cccd_ciphertext, cccd_blind_index,
    date_of_birth, gender, phone_ciphertext, commune_code, province_code, sms_consent, status,
    submitted_on, ethnicity_ciphertext, poverty_ciphertext, hamlet, priority_groups,
    desired_market, loan_wanted, name_tokens)
    VALUES ($1, 'Nguyễn Văn Thành', $2, $3, '2000-04-15', 'male', $4, '29800', '86', true,
        'submitted', current_date, $5, $5, 'Ấp Tân Thạnh', '{poor_household}', 'JP_TITP', true,
        $6)"""
_OUTBOX = """INSERT INTO outbox (event_id, topic, partition_key, event_type, envelope)
    VALUES ($1, $2, $3, 'RegistrationSubmitted', $4)"""
_CONSENT = """INSERT INTO consent (registration_id, purpose, granted, text_version, recorded_by,
    recorded_by_name) VALUES ($1, $2, true, '2026-01', 'bench', 'bench')"""
_AUDIT = """INSERT INTO audit.audit_log (actor_subject, actor_username, actor_roles, action,
    entity_type, entity_id, changes) VALUES ('bench', 'bench', '{commune_officer}',
    'registration.submitted', 'registration', $1, $2)"""
_PURPOSES = (
    "registration_processing",
    "sms_notifications",
    "share_with_enterprise",
    "share_with_bank",
)
_SEALED = "v1.k1." + "x" * 60  # the length of a sealed CCCD or phone number


async def bare_run(pool: asyncpg.Pool, topic: str, n: int, c: int, *, full: bool) -> float:
    async def insert(_: int) -> None:
        rid = uuid.uuid4()
        envelope = submitted(registration_id=rid)
        tokens = [os.urandom(16) for _ in range(3)]
        index = os.urandom(32)
        async with pool.acquire() as conn, conn.transaction():
            if full:
                await conn.fetch(ACTIVE_BY_CCCD, [index])  # the service's duplicate check
            await conn.execute(_ROW, rid, _SEALED, index, _SEALED, _SEALED, tokens)
            if full:
                await conn.executemany(_CONSENT, [(rid, p) for p in _PURPOSES])
                await conn.execute(_AUDIT, str(rid), {"status": "submitted"})
            await conn.execute(_OUTBOX, envelope.event_id, topic, str(rid), envelope.to_bytes())

    return await run_concurrently(n, c, insert)


def service_pids(service: ServiceProcess) -> list[int]:
    """The service process and its worker processes, if it runs several."""
    return [service.pid, *service.worker_pids()]


async def floor_run(url: str, headers: dict[str, str], n: int, c: int) -> float:
    """The framework's floor: an authenticated GET that runs one small SELECT."""
    limits = httpx.Limits(max_connections=c, max_keepalive_connections=c)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def get(_: int) -> None:
            (await client.get(f"{url}/markets", headers=headers)).raise_for_status()

        return await run_concurrently(n, c, get)


async def settled_count(pool: asyncpg.Pool) -> int:
    """Rows once the requests still in the service when the client stopped have committed."""
    count = -1
    while (now := int(await pool.fetchval("SELECT count(*) FROM registration"))) != count:
        count = now
        await asyncio.sleep(0.5)
    return count


async def wait_published(pool: asyncpg.Pool, timeout: float) -> float:
    started = time.perf_counter()
    while await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"):
        if time.perf_counter() - started > timeout:
            raise TimeoutError("the relay did not publish everything in time")
        await asyncio.sleep(0.2)
    return time.perf_counter() - started


async def bench(args: argparse.Namespace) -> None:
    async with namespace() as ns:
        await measure(ns, args)


def wrk_body() -> dict[str, object]:
    return bodies(1, 0)[0] | {"cccd": "086200__SERIAL__"}


async def http_measure(
    service: ServiceProcess, headers: dict[str, str], args: argparse.Namespace
) -> tuple[int, float, str]:
    """(requests, seconds, latency note) of the measured HTTP run, with the chosen client."""
    if args.client == "httpx":
        seconds = await asyncio.wait_for(
            http_run(service.url, headers, bodies(args.n, 0), args.concurrency), args.timeout
        )
        return args.n, seconds, ""
    keys = f"intake-{uuid.uuid4()}-" if args.keyed else None
    lua = wrk_load.script("/registrations", headers, wrk_body(), "cccd", idempotency_keys=keys)
    result = await wrk_load.post_for(
        f"{service.url}/registrations",
        script_text=lua,
        seconds=args.seconds,
        connections=args.concurrency,
    )
    if result.errors:
        raise RuntimeError(f"{result.errors} requests failed or timed out:\n{result.output}")
    return (
        result.requests,
        result.seconds,
        f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms",
    )


async def backend_pids(pool: asyncpg.Pool) -> list[int]:
    """The server processes serving this namespace's registration database (same machine)."""
    rows = await pool.fetch(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid()"
    )
    return [r["pid"] for r in rows]


async def commits(pool: asyncpg.Pool) -> int:
    # The statistics collector lags behind by up to a second; a snapshot read is good enough
    # over a run of many seconds.
    await pool.execute("SELECT pg_stat_clear_snapshot()")
    value = await pool.fetchval(
        "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
    )
    return int(value)


def machine_cpu() -> float:
    """Busy CPU seconds of the whole machine so far (every process, kernel included)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = map(int, fields[:7])
    return (user + nice + system + irq + softirq) / _TICKS


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def measure(ns: Namespace, args: argparse.Namespace) -> None:
    n, concurrency, timeout = args.n, args.concurrency, args.timeout
    service = ServiceProcess(
        "xkld_registration",
        ns.env("registration", XKLD_LOG_LEVEL="WARNING", XKLD_HTTP_WORKERS=str(args.workers)),
    )
    await service.start()
    pool = await create_pool(ns.dsn("registration"), max_size=POOL_SIZE)
    topic = Topics(ns.prefix).of(Stream.REGISTRATION)
    headers = ns.auth(Role.COMMUNE_OFFICER, communes=("29800",), username="bench")
    try:
        await http_run(service.url, headers, bodies(args.warmup, 900_000), concurrency)
        print(f"http ({args.client}): {concurrency} in flight; {load()}")
        pids = service_pids(service)
        cpu_before, client_before = cpu_seconds(pids), time.process_time() + children_cpu()
        machine_before = machine_cpu()
        backends = await backend_pids(pool)
        backends_before = cpu_by_pid(backends)
        commits_before = await commits(pool)
        http_n, http_s, latency = await http_measure(service, headers, args)
        service_cpu = cpu_seconds(service_pids(service)) - cpu_before
        client_cpu = time.process_time() + children_cpu() - client_before
        all_cpu = machine_cpu() - machine_before
        txns = await commits(pool) - commits_before
        pg_cpu = sum(
            now - backends_before[pid]
            for pid, now in cpu_by_pid(backends).items()
            if pid in backends_before
        )
        http_rows = await settled_count(pool) - args.warmup
        drain_s = await wait_published(pool, timeout)
        cpu_before = cpu_seconds(service_pids(service))
        floor_s = await asyncio.wait_for(floor_run(service.url, headers, n, concurrency), timeout)
        floor_cpu = cpu_seconds(service_pids(service)) - cpu_before
        print(f"bare: {n:,} row+outbox transactions, then {n:,} full writes; {load()}")
        bare_s = await asyncio.wait_for(bare_run(pool, topic, n, concurrency, full=False), timeout)
        full_s = await asyncio.wait_for(bare_run(pool, topic, n, concurrency, full=True), timeout)
        await wait_published(pool, timeout)
        stored = await pool.fetchval("SELECT count(*) FROM registration")
        events = await pool.fetchval("SELECT count(*) FROM outbox")
        expected = args.warmup + http_rows + 2 * n
        if http_rows < http_n or stored != expected or events != expected:
            raise RuntimeError(
                f"{http_n} answered, {http_rows} stored; "
                f"expected {expected} rows and events, found {stored} / {events}"
            )
    except BaseException:
        print(f"service log (tail):\n{service.logs()[-3000:]}")
        raise
    finally:
        await pool.close()
        await service.terminate()
    rows = [
        ("http POST /registrations", f"{http_s:.2f}", rate(http_n, http_s), "1.00"),
        ("bare row+outbox", f"{bare_s:.2f}", rate(n, bare_s), ratio(http_n, http_s, n, bare_s)),
        ("bare full write", f"{full_s:.2f}", rate(n, full_s), ratio(http_n, http_s, n, full_s)),
        (
            "http GET /markets (floor)",
            f"{floor_s:.2f}",
            rate(n, floor_s),
            ratio(http_n, http_s, n, floor_s),
        ),
    ]
    print_table(
        f"intake: {http_n:,} registrations over HTTP ({args.client}, {args.workers} worker(s), "
        f"{'an Idempotency-Key each' if args.keyed and args.client == 'wrk' else 'no keys'}), "
        f"{n:,} bare, {concurrency} in flight, pool {POOL_SIZE}",
        ["path", "seconds", "per second", "http rate ÷ this rate"],
        rows,
    )
    print(
        f"\nservice CPU: {service_cpu / http_n * 1000:.2f} ms per registration "
        f"(= {http_n / service_cpu:,.0f} registrations/s per fully used core); "
        f"load-generating client CPU: {client_cpu / http_n * 1000:.2f} ms per request; "
        f"service CPU for the authenticated GET floor: {floor_cpu / n * 1000:.2f} ms per request"
    )
    cores = os.cpu_count() or 1
    print(
        f"PostgreSQL backends of the service's database: {pg_cpu / http_n * 1000:.2f} ms CPU "
        f"per registration; {txns / http_n:.2f} transactions per registration (group commits, "
        f"relay passes and the rest)"
    )
    print(
        f"whole machine during the http run: {all_cpu / http_n * 1000:.2f} ms CPU per "
        f"registration (service, PostgreSQL, Kafka, client and anything else running), so "
        f"{cores} cores would top out near {cores * http_n / all_cpu:,.0f}/s"
    )
    if latency:
        print(f"http latency under this load: {latency}")
    print(
        f"http reaches {(http_n / http_s) / (n / bare_s):.0%} of the bare row+outbox rate; "
        f"the relay published the last http event {drain_s:.2f} s after the last response"
    )
    print(
        json.dumps(
            {"http_per_s": http_n / http_s, "bare_per_s": n / bare_s, "full_per_s": n / full_s}
        )
    )


def ratio(http_n: int, http_s: float, n: int, seconds: float) -> str:
    return f"{(http_n / http_s) / (n / seconds):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=600.0, help="per measured run, seconds")
    parser.add_argument(
        "--client",
        choices=["wrk", "httpx"],
        default="wrk" if wrk_load.available() else "httpx",
        help="load generator for the HTTP run (wrk: C, little CPU; httpx: N requests)",
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the wrk run")
    parser.add_argument("--workers", type=int, default=2, help="HTTP worker processes")
    parser.add_argument(
        "--no-keys",
        dest="keyed",
        action="store_false",
        help="send no Idempotency-Key (by default wrk keys every request, as a client should)",
    )
    args = parser.parse_args()
    asyncio.run(bench(args))


if __name__ == "__main__":
    main()
