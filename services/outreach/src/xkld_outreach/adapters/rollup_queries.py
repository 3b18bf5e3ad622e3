"""The survey's roll-ups, counted in SQL from the member rows of the rounds in an area."""

from __future__ import annotations

from typing import Any

from xkld_shared.db.pool import Conn

from xkld_outreach.application.ports import Area

_ROUNDS = """FROM survey_member m
    JOIN survey_household h ON h.id = m.household_id
    JOIN survey_round r ON r.id = m.round_id
    WHERE (r.commune_code = ANY($1::text[]) OR r.province_code = $2)
      AND ($3::date IS NULL OR (r.period_start >= $3 AND r.period_start < $4))
      AND ($5::uuid IS NULL OR r.id = $5)"""

_COUNTS = """count(*) AS members,
    count(DISTINCT m.household_id) AS households,
    count(*) FILTER (WHERE m.wants_training) AS wants_training,
    count(*) FILTER (WHERE m.wants_abroad) AS wants_abroad,
    count(*) FILTER (WHERE m.needs_loan) AS needs_loan,
    count(*) FILTER (WHERE m.contact_consent) AS contact_consent"""

DIMENSIONS = {
    "commune": ("r.commune_code", ""),
    "hamlet": ("r.commune_code || ' / ' || h.hamlet", ""),
    "trade": ("m.trade_code", "AND m.wants_training"),
    "market": ("m.market_code", "AND m.wants_abroad"),
    "priority_group": ("g.code", ""),
    "age_band": ("m.age_band", ""),
    "gender": ("m.gender", ""),
}


def dimensions() -> tuple[str, ...]:
    """The roll-up's dimensions, in the order the answer lists them."""
    return tuple(DIMENSIONS)


async def rollup(conn: Conn, area: Area, dimension: str) -> list[dict[str, Any]]:
    key, only = DIMENSIONS[dimension]
    source = _ROUNDS
    if dimension == "priority_group":
        source = source.replace(
            "JOIN survey_round r",
            "CROSS JOIN LATERAL unnest(m.priority_groups) AS g(code)\n    JOIN survey_round r",
        )
    rows = await conn.fetch(
        f"SELECT {key} AS key, {_COUNTS} {source} {only} GROUP BY 1 ORDER BY 1", *area.args()
    )
    return [dict(r) for r in rows]


async def totals(conn: Conn, area: Area) -> dict[str, Any]:
    row = await conn.fetchrow(f"SELECT {_COUNTS} {_ROUNDS}", *area.args())
    return dict(row) if row is not None else {}


_ABROAD_BY_MARKET = f"""SELECT m.market_code AS market_code, count(*) AS wanting,
               count(*) FILTER (WHERE m.abroad_when IN ('within_6_months', 'within_12_months'))
                   AS within_12_months,
               count(*) FILTER (WHERE m.needs_loan) AS needs_loan,
               count(*) FILTER (WHERE m.age_band <> '15-17') AS adults
            {_ROUNDS} AND m.wants_abroad GROUP BY 1 ORDER BY 1"""


async def abroad_by_market(conn: Conn, area: Area) -> list[dict[str, Any]]:
    rows = await conn.fetch(_ABROAD_BY_MARKET, *area.args())
    return [dict(r) for r in rows]


_PLACES_BY_TRADE = """SELECT trade_code, sum(places)::bigint AS places FROM plan_capacity
           WHERE NOT withdrawn AND plan_year = $3
             AND (commune_code = ANY($1::text[]) OR province_code = $2)
           GROUP BY trade_code"""


async def places_by_trade(conn: Conn, area: Area, plan_year: int) -> dict[str, int]:
    rows = await conn.fetch(_PLACES_BY_TRADE, list(area.communes), area.province, plan_year)
    return {r["trade_code"]: int(r["places"]) for r in rows}
