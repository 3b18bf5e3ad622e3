"""Per-enterprise counts for the reputation report, read from the projection (issue 17).

Workers and fees are counted for the registrations of the area's communes; complaints carry no
area (an officer complains about an enterprise, not a commune), so they are programme-wide.
"""

from __future__ import annotations

from asyncpg import Record
from xkld_shared.db.pool import Conn

from xkld_reporting.adapters.projection_schema import LIVE
from xkld_reporting.adapters.reputation_rules import ReputationRules
from xkld_reporting.domain.reputation import EnterpriseLine, add_fee, cap_for, flags_of

S = LIVE


async def enterprise_lines(
    conn: Conn, communes: list[str], rules: ReputationRules
) -> list[EnterpriseLine]:
    lines: dict[str, EnterpriseLine] = {}
    await _add_workers(conn, communes, lines)
    await _add_fees(conn, communes, rules, lines)
    await _add_complaints(conn, lines)
    for e in lines.values():
        e.flags = flags_of(e, rules.thresholds)
    # Flagged first, then by the most workers sent: what the labour office should look at.
    return sorted(lines.values(), key=lambda e: (not e.flags, -e.departed, e.enterprise_code))


def _line(lines: dict[str, EnterpriseLine], code: str) -> EnterpriseLine:
    return lines.setdefault(code, EnterpriseLine(code))


async def _add_workers(conn: Conn, communes: list[str], lines: dict[str, EnterpriseLine]) -> None:
    for r in await _worker_counts(conn, communes):
        _set_workers(_line(lines, r["enterprise_code"]), r)


async def _worker_counts(conn: Conn, communes: list[str]) -> list[Record]:
    """Per enterprise, the area's workers departed, back, back early (by cause), absconded."""
    return await conn.fetch(
        f"""SELECT enterprise_code,
                   count(*) FILTER (WHERE departed_on IS NOT NULL) AS departed,
                   count(*) FILTER (WHERE returned_on IS NOT NULL AND NOT return_early)
                       AS completed,
                   count(*) FILTER (WHERE return_early) AS returned_early,
                   count(*) FILTER (WHERE absconded_on IS NOT NULL) AS absconded,
                   array_agg(return_cause) FILTER (WHERE return_early AND return_cause IS NOT NULL)
                       AS causes
            FROM {S}.registration
            WHERE enterprise_code IS NOT NULL AND commune_code = ANY($1)
            GROUP BY enterprise_code""",
        communes,
    )


def _set_workers(e: EnterpriseLine, r: Record) -> None:
    e.departed, e.completed = r["departed"], r["completed"]
    e.returned_early, e.absconded = r["returned_early"], r["absconded"]
    for cause in r["causes"] or []:
        e.early_by_cause[cause] = e.early_by_cause.get(cause, 0) + 1


async def _add_fees(
    conn: Conn, communes: list[str], rules: ReputationRules, lines: dict[str, EnterpriseLine]
) -> None:
    for r in await _fees(conn, communes):
        cap = cap_for(rules.fee_caps, r["market_code"], r["programme"])
        add_fee(_line(lines, r["enterprise_code"]), int(r["fee_vnd"]), cap)


async def _fees(conn: Conn, communes: list[str]) -> list[Record]:
    """The fees recorded on the contracts of the area's registrations."""
    return await conn.fetch(
        f"""SELECT f.enterprise_code, f.market_code, f.programme, f.fee_vnd
            FROM {S}.contract_fee f JOIN {S}.registration r USING (registration_id)
            WHERE f.fee_vnd IS NOT NULL AND r.commune_code = ANY($1)""",
        communes,
    )


async def _add_complaints(conn: Conn, lines: dict[str, EnterpriseLine]) -> None:
    for r in await _complaint_counts(conn):
        e = _line(lines, r["enterprise_code"])
        e.complaints += r["n"]
        e.complaints_by_category[r["category"]] = r["n"]


async def _complaint_counts(conn: Conn) -> list[Record]:
    """Complaints per enterprise and category, programme-wide."""
    return await conn.fetch(
        f"""SELECT enterprise_code, category, count(*) AS n
            FROM {S}.enterprise_complaint GROUP BY 1, 2"""
    )
