"""The SQL a projected batch starts and ends with: the staging tables and the inbox claim at
its start; the counters (monthly and rollup), the SMS counts and each stream's freshness at its
end. Every function runs on the caller's connection, inside the batch's transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from xkld_shared.contracts.topics import Stream
from xkld_shared.db.pool import Conn

from xkld_reporting.adapters.admin_units import admin_units
from xkld_reporting.adapters.projection_schema import checked, rollup_of
from xkld_reporting.adapters.rows import stage_of as _stage
from xkld_reporting.domain.facts import Deltas

_STAGED = (
    "registration",
    "training",
    "loan",
    "loan_overdue",
    "trainee",
    "trainee_course",
    "plan_line",
)


async def begin_batch(conn: Conn, schema: str, shared_lock: int | None = None) -> None:
    """First statement of a batch's transaction, one round trip: take `shared_lock` (the live
    consumer's side of the rebuild's switch lock) and make sure this connection has its
    staging tables (temporary, emptied at commit; created the first time only).

    Staging tables copy the projection's columns when first created: a migration that changes
    those columns therefore needs the service restarted.
    """
    s = checked(schema)
    lock = f"SELECT pg_advisory_xact_lock_shared({int(shared_lock)});" if shared_lock else ""
    await conn.execute(
        lock
        + "".join(
            f"CREATE TEMP TABLE IF NOT EXISTS {_stage(f'{s}.{t}')} (LIKE {s}.{t})"
            " ON COMMIT DELETE ROWS;"
            for t in _STAGED
        )
    )


async def claim(conn: Conn, schema: str, event_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """The projection's inbox: the ids not applied before, recorded in this transaction."""
    rows = await conn.fetch(
        f"""INSERT INTO {checked(schema)}.inbox (event_id) SELECT unnest($1::uuid[])
            ON CONFLICT DO NOTHING RETURNING event_id""",
        list(event_ids),
    )
    return {row["event_id"] for row in rows}


async def write_deltas(conn: Conn, schema: str, deltas: Deltas) -> None:
    s = checked(schema)
    if deltas.counts:
        await _add_counts(conn, s, deltas)
    if deltas.sms:
        await _add_sms(conn, s, deltas)


async def _add_counts(conn: Conn, s: str, deltas: Deltas) -> None:
    # One statement: the increments go to the monthly counters and, rolled up to years and
    # quarters, to the rollup; both in this transaction, so they always agree.
    await conn.execute(_monthly_sql(s) + _rollup_sql(s), *_count_columns(deltas))


def _monthly_sql(s: str) -> str:
    return f"""WITH d AS (
                    SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::text[],
                                         $5::bigint[], $6::bigint[], $7::text[])
                        AS d(indicator, commune_code, month, market, n, amount_vnd,
                             province_code)
                ), monthly AS (
                    INSERT INTO {s}.monthly (indicator, commune_code, month, market, n,
                                             amount_vnd, province_code)
                    -- In key order, as the rollup's rows are: two batches of one stream (two
                    -- worker processes) then wait for each other instead of deadlocking.
                    SELECT * FROM d ORDER BY indicator, commune_code, month, market
                    ON CONFLICT (indicator, commune_code, month, market) DO UPDATE
                    SET n = {s}.monthly.n + EXCLUDED.n,
                        amount_vnd = {s}.monthly.amount_vnd + EXCLUDED.amount_vnd
                )
                """


def _rollup_sql(s: str) -> str:
    return f"""INSERT INTO {s}.rollup (province_code, year, quarter, market, indicator,
                                        area_code, n, amount_vnd)
                {rollup_of("d")}
                ON CONFLICT (province_code, year, quarter, market, indicator, area_code)
                DO UPDATE SET n = {s}.rollup.n + EXCLUDED.n,
                              amount_vnd = {s}.rollup.amount_vnd + EXCLUDED.amount_vnd"""


def _count_columns(deltas: Deltas) -> list[list[object]]:
    """The counters' keys and increments, column by column, as the statement's arrays."""
    keys = list(deltas.counts)
    return [
        [k[0] for k in keys],
        [k[1] for k in keys],
        [k[2] for k in keys],
        [k[3] for k in keys],
        [deltas.counts[k] for k in keys],
        [deltas.amounts[k] for k in keys],
        [admin_units().province_of(k[1]) or "" for k in keys],
    ]


async def _add_sms(conn: Conn, s: str, deltas: Deltas) -> None:
    keys_sms = list(deltas.sms)
    await conn.execute(
        f"""INSERT INTO {s}.sms (template_code, day, outcome, n)
            SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::bigint[])
            ON CONFLICT (template_code, day, outcome) DO UPDATE
            SET n = {s}.sms.n + EXCLUDED.n""",
        [k[0] for k in keys_sms],
        [k[1] for k in keys_sms],
        [k[2] for k in keys_sms],
        [deltas.sms[k] for k in keys_sms],
    )


async def advance(conn: Conn, schema: str, stream: Stream, newest: dt.datetime, count: int) -> None:
    """Records how fresh a stream's projection is: its newest event, and how many were applied."""
    s = checked(schema)
    await conn.execute(
        f"""INSERT INTO {s}.stream_state (stream, last_event_at, events, updated_at)
            VALUES ($1, $2, $3, now())
            ON CONFLICT (stream) DO UPDATE
            SET last_event_at = greatest({s}.stream_state.last_event_at, EXCLUDED.last_event_at),
                events = {s}.stream_state.events + EXCLUDED.events,
                updated_at = now()""",
        stream.value,
        newest,
        count,
    )
