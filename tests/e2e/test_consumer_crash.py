"""A projection consumer stopped in the middle of a stream: nothing lost, nothing doubled."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from xkld_shared.contracts.topics import Stream
from xkld_shared.testing.kafka import eventually, produce_raw, submitted
from xkld_shared.testing.system import System

EVENTS = 4000
REPLAYED = 300  # copies of earlier events, as a relay crash would publish them again


async def _progress(dsn: str) -> tuple[int, int]:
    conn = await asyncpg.connect(dsn)
    try:
        total = await conn.fetchval(
            "SELECT coalesce(sum(registered), 0) FROM registrations_by_commune"
        )
        inbox = await conn.fetchval("SELECT count(*) FROM rp.inbox")
        return int(total), int(inbox)
    finally:
        await conn.close()


# Two process starts and 4,300 events: 17-20 s alone, but over 180 s once in the full suite on
# two cores shared by four workers (start-ups alone may take two minutes each there).
@pytest.mark.timeout(600)
@pytest.mark.cost(150)
@pytest.mark.parametrize("stop", ["kill", "terminate"])
async def test_consumer_stopped_mid_stream_resumes_without_loss_or_double(
    system: System, stop: str
) -> None:
    ns = system.namespace
    events = [submitted(commune_code=f"{29000 + i % 40:05d}") for i in range(EVENTS)]
    messages = [(e.partition_key, e.to_bytes()) for e in events]
    messages += messages[:REPLAYED]
    await produce_raw(ns.infra.kafka_bootstrap, ns.topics.of(Stream.REGISTRATION), messages)

    # Tiny batches make the stream long enough to stop in the middle of it (at 20 a batch the
    # projection, since its speed-up, could finish all 4 000 before the poll saw a tenth).
    first = system.process("reporting", XKLD_CONSUMER_BATCH_SIZE="4")
    await first.start()
    dsn = ns.dsn("reporting")
    assert await eventually(lambda: _reached(dsn, EVENTS // 10), interval=0.02)
    await (first.kill() if stop == "kill" else first.terminate())
    at_stop, _ = await _progress(dsn)
    assert at_stop < EVENTS, "the consumer finished before it could be stopped mid-stream"

    await system.start(["reporting"], XKLD_CONSUMER_BATCH_SIZE="500")
    assert await eventually(lambda: _reached(dsn, EVENTS), timeout=60)
    await asyncio.sleep(1.0)  # anything still to come (a doubled batch) would land now
    assert await _progress(dsn) == (EVENTS, EVENTS)


async def _reached(dsn: str, n: int) -> bool:
    return (await _progress(dsn))[0] >= n
