"""What the reporting use cases need from storage, as Protocols: the SQL modules implement them.

The use cases receive these at the composition root (`bootstrap.py`; the rebuild takes its
projector from there too), so the application never imports the SQL. Style: each storage module
is a module of functions, passed as it is (mypy accepts a module as an implementation of a
Protocol), e.g. the `rows` module as a `RowStore`. Every call runs on the connection the use
case passes in, inside the transaction the use case (or the batch) owns.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from xkld_shared.contracts.enterprise import EnterpriseComplaintRecorded
from xkld_shared.contracts.journey import ContractSigned
from xkld_shared.contracts.topics import Stream
from xkld_shared.db.pool import Conn

from xkld_reporting.domain.facts import Deltas
from xkld_reporting.domain.target_row import TargetRow

LIVE = "rp"  # the projection's schema
NEXT = "rp_next"  # the schema a rebuild fills, then swaps in
# Live batches take this lock shared; the rebuild's switch takes it exclusively, so no live
# batch straddles the swap.
SWITCH_LOCK = 0x78_6B_6C_64_72_70  # "xkldrp"

# A household's status is kept per (registration, basis, list year).
PovertyKey = tuple[uuid.UUID, str, int]


class ProjectionWrites(Protocol):
    """What a projected batch starts and ends with: staging tables, inbox, counters."""

    async def begin_batch(
        self, conn: Conn, schema: str, shared_lock: int | None = None
    ) -> None: ...

    async def claim(
        self, conn: Conn, schema: str, event_ids: Sequence[uuid.UUID]
    ) -> set[uuid.UUID]: ...

    async def write_deltas(self, conn: Conn, schema: str, deltas: Deltas) -> None: ...

    async def advance(
        self, conn: Conn, schema: str, stream: Stream, newest: dt.datetime, count: int
    ) -> None: ...


class RowStore(Protocol):
    """Whole projection rows (dataclasses whose fields are the table's columns), read and
    written back by batch."""

    async def load(
        self,
        conn: Conn,
        table: str,
        model: type[Any],
        where: str,
        ids: list[Any],
        key_of: Callable[[Any], Any] | None = None,
    ) -> dict[Any, Any]: ...

    async def save(
        self, conn: Conn, table: str, model: type[Any], keys: list[str], rows: Sequence[Any]
    ) -> None: ...


class FactWrites(Protocol):
    """The projection's tables of their own: contract fees, complaints, poverty statuses."""

    async def put_contract_fees(
        self, conn: Conn, schema: str, fees: Mapping[uuid.UUID, ContractSigned]
    ) -> None: ...

    async def add_complaints(
        self, conn: Conn, schema: str, complaints: Mapping[uuid.UUID, EnterpriseComplaintRecorded]
    ) -> None: ...

    async def put_poverty(
        self, conn: Conn, schema: str, latest: Mapping[PovertyKey, str]
    ) -> None: ...


class Units(Protocol):
    """Administrative units: the unit a commune is reported under today, and its province."""

    def current(self, commune_code: str) -> str: ...

    def province_of(self, commune_code: str) -> str | None: ...


class UnitMap(Protocol):
    """Where the administrative units come from (loaded once)."""

    def admin_units(self) -> Units: ...


class TargetStore(Protocol):
    """The targets (chỉ tiêu) table."""

    async def value_for_update(self, conn: Conn, row: TargetRow) -> int | None: ...

    async def put(self, conn: Conn, row: TargetRow, updated_by: str) -> None: ...
