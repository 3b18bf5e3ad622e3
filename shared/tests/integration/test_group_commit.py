"""Group commit against real PostgreSQL: shared transactions, and each caller's own outcome."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import asyncpg
import pytest
from xkld_shared.db.group_commit import GroupCommit
from xkld_shared.db.pool import Conn, create_pool
from xkld_shared.testing.infra import Namespace


class Refused(Exception):
    """What the writer gives an item it will not write."""


class Recorder:
    """A batch writer into a table with a unique `name`; refuses names starting with 'no'."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.pause = asyncio.Event()
        self.pause.set()

    async def write(self, conn: Conn, names: Sequence[str]) -> list[str | BaseException]:
        self.batches.append(list(names))
        await self.pause.wait()
        outcomes: list[str | BaseException] = []
        for name in names:
            if name.startswith("no"):
                outcomes.append(Refused(name))
                continue
            await conn.execute("INSERT INTO gc_item (name) VALUES ($1)", name)
            outcomes.append(f"stored {name}")
        return outcomes


@pytest.fixture
async def pool(namespace: Namespace) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(namespace.dsn("registration"))
    await pool.execute("CREATE TABLE gc_item (name text PRIMARY KEY)")
    yield pool
    await pool.close()


async def stored(pool: asyncpg.Pool) -> set[str]:
    return {r["name"] for r in await pool.fetch("SELECT name FROM gc_item")}


async def test_concurrent_writes_share_transactions_and_all_commit(pool: asyncpg.Pool) -> None:
    recorder = Recorder()
    group = GroupCommit(pool, recorder.write, max_batch=16, writers=1)
    recorder.pause.clear()  # the first batch waits, so the others queue up behind it
    writes = [asyncio.create_task(group.write(f"w{i}")) for i in range(40)]
    await asyncio.sleep(0.1)
    recorder.pause.set()
    await asyncio.gather(*writes)
    await group.aclose()
    assert await stored(pool) == {f"w{i}" for i in range(40)}
    assert max(len(b) for b in recorder.batches) == 16
    assert len(recorder.batches) < 40


async def test_a_refused_item_gets_its_own_error_and_the_rest_commit(pool: asyncpg.Pool) -> None:
    recorder = Recorder()
    group = GroupCommit(pool, recorder.write, writers=1)
    recorder.pause.clear()
    names = ["a", "no-b", "c"]
    writes = [asyncio.create_task(group.write(n)) for n in names]
    await asyncio.sleep(0.05)
    recorder.pause.set()
    outcomes = await asyncio.gather(*writes, return_exceptions=True)
    await group.aclose()
    assert outcomes[0] == "stored a"
    assert outcomes[2] == "stored c"
    assert isinstance(outcomes[1], Refused)
    assert await stored(pool) == {"a", "c"}


async def test_a_batch_that_fails_is_written_again_item_by_item(pool: asyncpg.Pool) -> None:
    await pool.execute("INSERT INTO gc_item (name) VALUES ('taken')")
    recorder = Recorder()
    group = GroupCommit(pool, recorder.write, writers=1)
    recorder.pause.clear()
    names = ["x", "taken", "y"]
    writes = [asyncio.create_task(group.write(n)) for n in names]
    await asyncio.sleep(0.05)
    recorder.pause.set()
    outcomes = await asyncio.gather(*writes, return_exceptions=True)
    await group.aclose()
    assert outcomes[0] == "stored x"
    assert outcomes[2] == "stored y"
    assert isinstance(outcomes[1], asyncpg.UniqueViolationError)
    assert await stored(pool) == {"taken", "x", "y"}
    assert recorder.batches[0] == names  # tried together first, rolled back, then one by one


async def test_nothing_is_acknowledged_when_its_transaction_fails(pool: asyncpg.Pool) -> None:
    async def broken(conn: Conn, names: Sequence[str]) -> list[str | BaseException]:
        await conn.execute("INSERT INTO gc_item (name) VALUES ($1)", names[0])
        return []  # a wrong number of outcomes: must roll back, not commit

    group = GroupCommit(pool, broken, writers=1)
    with pytest.raises(RuntimeError, match="one outcome per item"):
        await group.write("lost")
    await group.aclose()
    assert await stored(pool) == set()


async def test_a_caller_that_goes_away_does_not_cancel_the_shared_batch(
    pool: asyncpg.Pool,
) -> None:
    recorder = Recorder()
    group = GroupCommit(pool, recorder.write, writers=1)
    recorder.pause.clear()
    leaving = asyncio.create_task(group.write("left"))
    staying = asyncio.create_task(group.write("stayed"))
    await asyncio.sleep(0.05)
    leaving.cancel()
    recorder.pause.set()
    await staying
    await group.aclose()
    assert await stored(pool) == {"left", "stayed"}


async def test_a_batch_on_a_killed_connection_is_written_on_a_fresh_one(
    pool: asyncpg.Pool,
) -> None:
    """The writer keeps its connection between batches; killed under it, the batch fails
    before its COMMIT, so it is written again on a fresh connection and nobody sees an error."""
    recorder = Recorder()
    group = GroupCommit(pool, recorder.write, writers=1)
    assert await group.write("before") == "stored before"
    await pool.execute(
        # Only this service's own connections: an autovacuum worker in the same database is
        # the superuser's, and terminating it is refused.
        """SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid()
             AND usename = current_user"""
    )
    assert await group.write("during") == "stored during"
    assert await group.write("after") == "stored after"
    await group.aclose()
    assert await stored(pool) == {"before", "during", "after"}


async def test_a_batch_whose_commit_fails_is_not_written_again(pool: asyncpg.Pool) -> None:
    """A failed COMMIT may have committed (a lost answer looks the same), so its batch is not
    retried item by item: each caller gets the error. A deferred constraint makes COMMIT fail."""
    await pool.execute(
        """CREATE TABLE gc_deferred (name text UNIQUE DEFERRABLE INITIALLY DEFERRED);
           INSERT INTO gc_deferred VALUES ('taken')"""
    )
    batches: list[list[str]] = []

    async def write(conn: Conn, names: Sequence[str]) -> list[str | BaseException]:
        batches.append(list(names))
        for name in names:
            await conn.execute("INSERT INTO gc_deferred (name) VALUES ($1)", name)
        return [f"stored {n}" for n in names]

    group = GroupCommit(pool, write, writers=1)
    outcomes = await asyncio.gather(
        *(group.write(n) for n in ["x", "taken", "y"]), return_exceptions=True
    )
    await group.aclose()
    assert all(isinstance(o, asyncpg.UniqueViolationError) for o in outcomes), outcomes
    assert batches == [["x", "taken", "y"]]
    assert {r["name"] for r in await pool.fetch("SELECT name FROM gc_deferred")} == {"taken"}
