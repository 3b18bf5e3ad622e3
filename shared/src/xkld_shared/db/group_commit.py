"""Group commit: concurrent requests' writes share one transaction, and every caller waits for it.

One transaction per request costs a pool checkout, BEGIN, a round trip per statement, COMMIT
and a reset, whatever the request writes. When many requests arrive at once (a commune's intake
day, an import), their rows can go in together: the same statements, each sent once with every
row (`executemany`), in one transaction. Each caller still gets its answer only after that
transaction has committed, so nothing is acknowledged that could be lost.

Batches form by themselves: a writer takes everything queued (up to `max_batch`) when it is
free, so under light load a batch holds one item and adds no delay.

`write(conn, items)` writes the items it accepts and returns, per item, either its result or
the error that item gets (a rule that refused it, such as a duplicate found in the batch). If it
raises instead, the batch is rolled back and each item is written again in a transaction of its
own, so one bad item (a unique violation from a concurrent writer, say) cannot fail the others.
If the COMMIT itself fails, the batch may or may not have been written, so it is not written
again: every caller in it gets the error.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from xkld_shared.db.pool import Conn

T = TypeVar("T")
R = TypeVar("R")
BatchWriter = Callable[[Conn, Sequence[T]], Awaitable[Sequence[R | BaseException]]]

log = logging.getLogger(__name__)


@dataclass
class _Pending(Generic[T, R]):
    item: T
    done: asyncio.Future[R] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class GroupCommit(Generic[T, R]):
    def __init__(
        self,
        pool: asyncpg.Pool,
        write: BatchWriter[T, R],
        *,
        max_batch: int = 64,
        writers: int = 1,
    ) -> None:
        self._pool = pool
        self._write = write
        self._max_batch = max_batch
        self._writers = writers
        self._queue: asyncio.Queue[_Pending[T, R]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []

    async def write(self, item: T) -> R:
        """Returns `item`'s outcome once it is committed; raises the error `write` gave it."""
        self._start()
        pending: _Pending[T, R] = _Pending(item)
        self._queue.put_nowait(pending)
        # A caller that goes away (client disconnect) leaves its item queued: once handed over,
        # an item is written with its batch, as a request whose answer was lost would be.
        return await pending.done

    async def aclose(self) -> None:
        """Waits for what is queued, then stops the writers."""
        await self._queue.join()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    def _start(self) -> None:
        if not self._tasks:
            # A fresh context: the writers must not carry the first request's correlation id.
            self._tasks = [
                asyncio.create_task(self._run(), context=contextvars.Context())
                for _ in range(self._writers)
            ]

    async def _run(self) -> None:
        # Each writer keeps one connection: no checkout, reset and release per batch. After a
        # failed batch it takes a fresh one, in case the failure was the connection itself.
        conn: PoolConnectionProxy | None = None
        try:
            while True:
                batch = [await self._queue.get()]
                while len(batch) < self._max_batch and not self._queue.empty():
                    batch.append(self._queue.get_nowait())
                try:
                    if conn is None or conn.is_closed():
                        await self._release(conn)
                        conn = await self._pool.acquire()
                    outcomes = await self._in_transaction(conn, [p.item for p in batch])
                except CommitFailed as failed:
                    await self._release(conn)
                    conn = None
                    for pending in batch:  # it may have committed: writing again could double
                        settle(pending.done, failed.cause)
                except Exception:
                    await self._release(conn)
                    conn = None
                    await self._one_by_one(batch)
                else:
                    for pending, outcome in zip(batch, outcomes, strict=True):
                        settle(pending.done, outcome)
                finally:
                    for _ in batch:
                        self._queue.task_done()
        finally:
            await self._release(conn)

    async def _one_by_one(self, batch: list[_Pending[T, R]]) -> None:
        """After a batch that failed before its COMMIT (so nothing of it was written): each item
        again in its own transaction on a fresh connection, so one bad item fails alone and a
        connection that broke under the batch fails nobody."""
        if len(batch) > 1:
            log.info("group commit of %d items failed; writing them one by one", len(batch))
        for pending in batch:
            try:
                async with self._pool.acquire() as conn:
                    [outcome] = await self._in_transaction(conn, [pending.item])
            except CommitFailed as failed:
                settle(pending.done, failed.cause)
            except Exception as own_error:
                settle(pending.done, own_error)
            else:
                settle(pending.done, outcome)

    async def _in_transaction(self, conn: Conn, items: list[T]) -> Sequence[R | BaseException]:
        transaction = conn.transaction()
        await transaction.start()
        try:
            outcomes = await self._write(conn, items)
            if len(outcomes) != len(items):
                raise RuntimeError("a batch writer must give one outcome per item")
        except BaseException:
            with contextlib.suppress(Exception):
                await transaction.rollback()
            raise
        try:
            await transaction.commit()
        except Exception as error:
            raise CommitFailed(error) from error
        return outcomes

    async def _release(self, conn: PoolConnectionProxy | None) -> None:
        if conn is not None:
            with contextlib.suppress(Exception):
                await self._pool.release(conn)


class CommitFailed(Exception):
    """The COMMIT itself failed (or its answer was lost): the batch may have been written."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


def settle(done: asyncio.Future[R], outcome: R | BaseException) -> None:
    if done.done():
        return
    if isinstance(outcome, BaseException):
        done.set_exception(outcome)
    else:
        done.set_result(outcome)
