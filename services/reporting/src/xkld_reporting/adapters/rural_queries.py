"""Reading the rural-training projections: trainees and certificates against the plan,
Decision 46 support paid against the plan's budget, employment after training.

Every report is grouped by one dimension, with a total line computed in the same statement
(GROUPING SETS), so that a trainee in two rows still counts once in the total where the column
counts people. Plan lines are joined to the trainees' courses here, when read, never when
projected. Rates are integer basis points (`rate_basis_points`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from asyncpg import Record
from xkld_shared.db.pool import Conn

from xkld_reporting.adapters.projection_schema import LIVE
from xkld_reporting.domain.rural_training import EMPLOYMENT_OUTCOMES, NOT_EMPLOYED
from xkld_reporting.domain.support_groups import rate_basis_points

S = LIVE
_TRADE = "coalesce(c.trade_code, p.trade_code)"  # the course's own, else its plan line's
TRAINEE_KEYS = {"trade": _TRADE, "commune": "c.commune_code", "group": "t.support_group"}
SUPPORT_KEYS = {
    "trade": _TRADE,
    "commune": "c.support_commune_code",
    "plan_line": "c.plan_line_id::text",
}
EMPLOYMENT_KEYS = {"course": "c.course_code", "trade": _TRADE, "commune": "c.commune_code"}
_PLAN_KEYS = {"trade": "trade_code", "commune": "commune_code", "plan_line": "line_id::text"}
UNKNOWN_GROUP = "unknown"  # a trainee whose TraineeRegistered was never projected

Lines = dict[str | None, dict[str, Any]]  # by key; the total under TOTAL
TOTAL = "\x00total"


def _year(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)


def _courses(key: str, where: str) -> str:
    """A trainee's courses with the grouping key, their plan line and trainee joined."""
    return f"""SELECT {key} AS k, c.* FROM {S}.trainee_course c
               LEFT JOIN {S}.plan_line p ON p.line_id = c.plan_line_id
               LEFT JOIN {S}.trainee t ON t.trainee_id = c.trainee_id
               WHERE {where}"""


async def _grouped(conn: Conn, select: str, source: str, *args: Any) -> Lines:
    """Per key and, under TOTAL, in total (the empty grouping set: always one row)."""
    rows = await conn.fetch(
        f"""SELECT k, GROUPING(k) = 1 AS is_total, {select}
            FROM ({source}) x GROUP BY GROUPING SETS ((k), ())""",
        *args,
    )
    return {(TOTAL if r["is_total"] else r["k"]): _counts_of(r) for r in rows}


def _counts_of(row: Record) -> dict[str, int]:
    return {name: int(value) for name, value in dict(row).items() if name not in ("k", "is_total")}


async def _plan(conn: Conn, by: str | None, communes: list[str], year: int) -> Lines:
    """Places and budget of the year's plan lines still in the plan, per key and in total."""
    key = _PLAN_KEYS[by] if by else "NULL::text"
    return await _grouped(
        conn,
        """coalesce(sum(places), 0)::bigint AS places,
           coalesce(sum(budget_vnd), 0)::bigint AS budget_vnd""",
        f"""SELECT {key} AS k, * FROM {S}.plan_line
            WHERE plan_year = $1 AND withdrawn_on IS NULL AND commune_code = ANY($2)""",
        year,
        communes,
    )


def _keys(*parts: Lines) -> list[str | None]:
    keys = {k for part in parts for k in part if k != TOTAL}
    return sorted(keys, key=lambda k: (k is None, k or ""))


_TRAINEE_ZERO = dict.fromkeys(("enrolled", "trainees", "completed", "passed", "certificates"), 0)
_SUPPORT_ZERO = dict.fromkeys(
    ("trainees_paid", "paid_vnd", "paid_cost_vnd", "paid_meals_vnd", "paid_travel_vnd"), 0
)


async def trainees_report(
    conn: Conn, communes: list[str], year: int, by: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per key: planned places (none per support group: the plan is not split by group),
    enrolments in courses starting in the year, trainees, completed, passed, certificates."""
    actual = await _trainee_counts(conn, communes, year, by)
    plan = await _plan(conn, None if by == "group" else by, communes, year)
    keys = _keys(actual, {} if by == "group" else plan)
    rows = [{"key": k, **_trainee_line(plan, actual, k)} for k in keys]
    return rows, _trainee_line(plan, actual, TOTAL)


async def _trainee_counts(conn: Conn, communes: list[str], year: int, by: str) -> Lines:
    start, end = _year(year)
    key = TRAINEE_KEYS[by]
    if by == "group":
        key = f"coalesce({key}, '{UNKNOWN_GROUP}')"
    return await _grouped(
        conn,
        """count(*) AS enrolled, count(DISTINCT trainee_id) AS trainees,
           count(completed_on) AS completed, count(*) FILTER (WHERE passed) AS passed,
           count(*) FILTER (WHERE certificate_issued) AS certificates""",
        _courses(key, "c.commune_code = ANY($1) AND c.starts_on >= $2 AND c.starts_on < $3"),
        communes,
        start,
        end,
    )


def _trainee_line(plan: Lines, actual: Lines, k: str | None) -> dict[str, Any]:
    planned = plan[k]["places"] if k in plan else None
    counts = actual.get(k, _TRAINEE_ZERO)
    return {"planned_places": planned, **counts} | {
        "enrolled_of_planned_bp": rate_basis_points(counts["enrolled"], planned or 0)
    }


async def support_report(
    conn: Conn, communes: list[str], year: int, by: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per key: the budget of the year's plan lines against the support paid in the year
    (by the payment's date and commune), and the trainees paid."""
    paid = await _support_paid(conn, communes, year, by)
    plan = await _plan(conn, by, communes, year)
    rows = [{"key": k, **_support_line(plan, paid, k)} for k in _keys(paid, plan)]
    if by == "plan_line":
        await _describe_lines(conn, rows)
    return rows, _support_line(plan, paid, TOTAL)


async def _support_paid(conn: Conn, communes: list[str], year: int, by: str) -> Lines:
    start, end = _year(year)
    return await _grouped(
        conn,
        """count(DISTINCT trainee_id) AS trainees_paid,
           coalesce(sum(support_total_vnd), 0)::bigint AS paid_vnd,
           coalesce(sum(support_cost_vnd), 0)::bigint AS paid_cost_vnd,
           coalesce(sum(support_meals_vnd), 0)::bigint AS paid_meals_vnd,
           coalesce(sum(support_travel_vnd), 0)::bigint AS paid_travel_vnd""",
        _courses(
            SUPPORT_KEYS[by],
            "c.support_commune_code = ANY($1) AND c.support_paid_on >= $2"
            " AND c.support_paid_on < $3",
        ),
        communes,
        start,
        end,
    )


def _support_line(plan: Lines, paid: Lines, k: str | None) -> dict[str, Any]:
    budget = plan[k]["budget_vnd"] if k in plan else None
    money = paid.get(k, _SUPPORT_ZERO)
    return {
        "budget_vnd": budget,
        **money,
        "balance_vnd": None if budget is None else budget - money["paid_vnd"],
        "paid_of_budget_bp": rate_basis_points(money["paid_vnd"], budget or 0),
    }


async def _describe_lines(conn: Conn, rows: list[dict[str, Any]]) -> None:
    """What a plan line is (codes only), for rows by plan line; null for unknown lines."""
    lines = await _plan_lines(conn, [r["key"] for r in rows if r["key"] is not None])
    for row in rows:
        known = lines.get(row["key"], {})
        for name in ("plan_year", "trade_code", "commune_code", "places", "withdrawn"):
            row[name] = known.get(name)


async def _plan_lines(conn: Conn, keys: list[str]) -> dict[str, dict[str, Any]]:
    found = await conn.fetch(
        f"""SELECT line_id::text AS k, plan_year, trade_code, commune_code, places,
                   withdrawn_on IS NOT NULL AS withdrawn
            FROM {S}.plan_line WHERE line_id::text = ANY($1)""",
        keys,
    )
    return {r["k"]: dict(r) for r in found}


async def employment_report(
    conn: Conn, communes: list[str], year: int, by: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per key, for courses completed in the year: completed, outcomes recorded, each
    outcome, employed (every outcome but no work yet), the rate, completed without outcome."""
    found = await _employment_counts(conn, communes, year, by)
    rows = [{"key": k, **_employment_line(found, k)} for k in _keys(found)]
    return rows, _employment_line(found, TOTAL)


async def _employment_counts(conn: Conn, communes: list[str], year: int, by: str) -> Lines:
    start, end = _year(year)
    each = ", ".join(f"count(*) FILTER (WHERE outcome = '{o}') AS {o}" for o in EMPLOYMENT_OUTCOMES)
    return await _grouped(
        conn,
        f"count(*) AS completed, count(outcome) AS outcomes_recorded, {each}",
        _courses(
            EMPLOYMENT_KEYS[by],
            "c.commune_code = ANY($1) AND c.completed_on >= $2 AND c.completed_on < $3",
        ),
        communes,
        start,
        end,
    )


def _employment_line(found: Lines, k: str | None) -> dict[str, Any]:
    counts = found.get(k) or dict.fromkeys(
        ("completed", "outcomes_recorded", *EMPLOYMENT_OUTCOMES), 0
    )
    recorded = counts["outcomes_recorded"]
    employed = recorded - counts[NOT_EMPLOYED]
    return counts | {
        "employed": employed,
        "employment_rate_bp": rate_basis_points(employed, recorded),
        "completed_without_outcome": counts["completed"] - recorded,
    }
