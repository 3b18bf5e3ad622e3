"""Reading the projections: every report is a few grouped SQL queries in one snapshot."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from asyncpg import Record
from xkld_shared.db.pool import Conn

from xkld_reporting.adapters.projection_schema import LIVE
from xkld_reporting.domain.dimensions import OVERDUE_BUCKETS, PRIORITY_GROUPS, age_band_sql, bit_of
from xkld_reporting.domain.periods import Period
from xkld_reporting.domain.progress import (
    achieved_percent,
)

S = LIVE


MILESTONES = {
    "registered": "r.submitted_on",
    "eligible": "r.eligible_on",
    "trained": "r.trained_on",
    "contract_signed": "r.contract_signed_on",
    "departed": "r.departed_on",
    "returned": "r.returned_on",
    "absconded": "r.absconded_on",
    "rejected": "r.rejected_on",
    "withdrawn": "r.withdrawn_on",
}
DIMENSIONS = {
    "commune": "r.commune_code",
    "hamlet": "coalesce(r.hamlet, '')",
    "stage": "r.stage",
    "market": "coalesce(r.market_code, r.desired_market, '')",
    "enterprise": "coalesce(r.enterprise_code, '')",
    "gender": "coalesce(r.gender, '')",
    "age_band": age_band_sql("r.submitted_on", "r.birth_year"),
    "priority_group": "g.name",
    "course": "t.course_code",
    "none": "''",
}
GRANULARITIES = ("day", "month", "quarter", "year")


async def registration_facts(
    conn: Conn,
    communes: list[str],
    milestone: str,
    by: str,
    granularity: str,
    date_from: dt.date,
    date_to: dt.date,
) -> list[dict[str, Any]]:
    """Counts of registrations reaching `milestone` in [from, to], by period and dimension."""
    day = MILESTONES[milestone]
    count = "count(DISTINCT r.registration_id)" if by == "course" else "count(*)"
    rows = await conn.fetch(
        f"""SELECT date_trunc('{granularity}', {day})::date AS period, {DIMENSIONS[by]} AS key,
                   {count} AS n
            FROM {S}.registration r {_joins_for(by)}
            WHERE r.commune_code = ANY($1) AND {day} BETWEEN $2 AND $3
            GROUP BY 1, 2 ORDER BY 1, 2""",
        communes,
        date_from,
        date_to,
        *_group_arguments(by),
    )
    return [{"period": r["period"], "key": r["key"], "count": int(r["n"])} for r in rows]


def _joins_for(by: str) -> str:
    """What a dimension needs joined to the registrations."""
    joins = ""
    if by == "priority_group":
        joins = "JOIN unnest($4::text[], $5::int[]) AS g(name, bit) ON r.priority_bits & g.bit <> 0"
    if by == "course":
        joins = f"JOIN {S}.training t ON t.registration_id = r.registration_id"
    return joins


def _group_arguments(by: str) -> list[list[Any]]:
    """The priority groups' names and bits ($4, $5), when the report is by priority group."""
    if by == "priority_group":
        return [list(PRIORITY_GROUPS), [bit_of(g) for g in PRIORITY_GROUPS]]
    return []


async def loans_report(conn: Conn, communes: list[str], as_of: dt.date) -> list[dict[str, Any]]:
    totals = await _loan_totals(conn, communes)
    buckets = _overdue_buckets(await _overdue_loans(conn, communes, as_of))
    return [_loan_line(r, buckets) for r in totals]


def _loan_line(r: Record, buckets: dict[str, dict[str, dict[str, int]]]) -> dict[str, Any]:
    line = {k: (int(v) if isinstance(v, int) else v) for k, v in dict(r).items()}
    return line | {"overdue": buckets[r["commune_code"]]}


async def _loan_totals(conn: Conn, communes: list[str]) -> list[Record]:
    return await conn.fetch(
        f"""SELECT commune_code,
                count(*) AS applied, sum(requested_vnd)::bigint AS applied_vnd,
                count(approved_on) AS approved, sum(approved_vnd)::bigint AS approved_vnd,
                count(rejected_on) AS rejected,
                count(disbursed_on) AS disbursed, sum(disbursed_vnd)::bigint AS disbursed_vnd,
                sum(repaid_vnd)::bigint AS repaid_vnd,
                sum(principal_repaid_vnd)::bigint AS principal_repaid_vnd,
                count(*) FILTER (WHERE outstanding_vnd > 0) AS outstanding,
                sum(outstanding_vnd)::bigint AS outstanding_vnd,
                count(settled_on) AS settled
            FROM {S}.loan WHERE commune_code = ANY($1) GROUP BY 1 ORDER BY 1""",
        communes,
    )


async def _overdue_loans(conn: Conn, communes: list[str], as_of: dt.date) -> list[Record]:
    """Overdue loans by commune and by how long their oldest unpaid instalment is overdue."""
    return await conn.fetch(
        f"""WITH oldest AS (
                SELECT l.loan_application_id, l.commune_code, l.outstanding_vnd,
                       min(o.due_on) AS since
                FROM {S}.loan l JOIN {S}.loan_overdue o USING (loan_application_id)
                WHERE l.commune_code = ANY($1) AND l.settled_on IS NULL
                  AND l.outstanding_vnd > 0 AND o.due_on < $2
                  AND (l.restructured_on IS NULL OR o.due_on >= l.restructured_on)
                  AND l.principal_repaid_vnd < least(l.disbursed_vnd,
                        o.installment_no * (l.disbursed_vnd / greatest(l.installments, 1)))
                GROUP BY 1, 2, 3)
            SELECT commune_code,
                   CASE WHEN $2 - since <= 30 THEN '1-30' WHEN $2 - since <= 90 THEN '31-90'
                        WHEN $2 - since <= 180 THEN '91-180' ELSE '>180' END AS bucket,
                   count(*) AS loans, sum(outstanding_vnd)::bigint AS outstanding_vnd
            FROM oldest GROUP BY 1, 2""",
        communes,
        as_of,
    )


def _overdue_buckets(overdue: list[Record]) -> dict[str, dict[str, dict[str, int]]]:
    buckets: dict[str, dict[str, dict[str, int]]] = defaultdict(_empty_buckets)
    for r in overdue:
        buckets[r["commune_code"]][r["bucket"]] = _bucket_counts(r)
    return buckets


def _bucket_counts(r: Record) -> dict[str, int]:
    return {"loans": int(r["loans"]), "outstanding_vnd": int(r["outstanding_vnd"])}


def _empty_buckets() -> dict[str, dict[str, int]]:
    return {b: {"loans": 0, "outstanding_vnd": 0} for b in OVERDUE_BUCKETS}


async def training_report(
    conn: Conn, communes: list[str], date_from: dt.date, date_to: dt.date
) -> list[dict[str, Any]]:
    """Per course type: enrolled, completed, certificates, and what trainees did afterwards.

    "Employed or departed" counts a trainee who passed a course and then signed a contract,
    departed, or was referred to a job (the national indicator's ≥ 80%).
    """
    rows = await conn.fetch(
        f"""SELECT t.course_type,
                count(*) FILTER (WHERE t.enrolled_on BETWEEN $2 AND $3) AS enrolled,
                count(*) FILTER (WHERE t.completed_on BETWEEN $2 AND $3) AS completed,
                count(*) FILTER (WHERE t.completed_on BETWEEN $2 AND $3 AND t.passed) AS passed,
                count(*) FILTER (WHERE t.completed_on BETWEEN $2 AND $3
                                 AND t.certificate_issued) AS certificates,
                count(DISTINCT t.registration_id) FILTER (
                    WHERE t.completed_on BETWEEN $2 AND $3 AND t.passed) AS trainees,
                count(DISTINCT t.registration_id) FILTER (
                    WHERE t.completed_on BETWEEN $2 AND $3 AND t.passed
                      AND (r.departed_on IS NOT NULL OR r.contract_signed_on IS NOT NULL
                           OR r.referred_on IS NOT NULL)) AS employed_or_departed
            FROM {S}.training t JOIN {S}.registration r USING (registration_id)
            WHERE t.commune_code = ANY($1) GROUP BY 1 ORDER BY 1""",
        communes,
        date_from,
        date_to,
    )
    return [_training_line(r) for r in rows]


def _training_line(r: Record) -> dict[str, Any]:
    """A course type's counts, with the certificate and employment rates."""
    line: dict[str, Any] = {k: (v if isinstance(v, str) else int(v)) for k, v in dict(r).items()}
    line["certificate_rate_percent"] = achieved_percent(line["certificates"], line["completed"])
    line["employed_or_departed_percent"] = achieved_percent(
        line["employed_or_departed"], line["trainees"]
    )
    return line


async def follow_up_report(conn: Conn, communes: list[str]) -> dict[str, Any]:
    row = await _follow_up_counts(conn, communes)
    causes = await _early_return_causes(conn, communes)
    assert row is not None
    return {k: int(v) for k, v in dict(row).items()} | {
        "returned_early_by_cause": {r["return_cause"]: int(r["n"]) for r in causes}
    }


async def _early_return_causes(conn: Conn, communes: list[str]) -> list[Record]:
    return await conn.fetch(
        f"""SELECT return_cause, count(*) AS n FROM {S}.registration
            WHERE commune_code = ANY($1) AND return_early GROUP BY 1 ORDER BY 1""",
        communes,
    )


async def _follow_up_counts(conn: Conn, communes: list[str]) -> Record | None:
    return await conn.fetchrow(
        f"""SELECT
              count(*) FILTER (WHERE departed_on IS NOT NULL AND returned_on IS NULL
                               AND absconded_on IS NULL) AS abroad_now,
              count(*) FILTER (WHERE returned_on IS NOT NULL AND NOT return_early)
                  AS returned_completed,
              count(*) FILTER (WHERE returned_on IS NOT NULL AND return_early) AS returned_early,
              count(*) FILTER (WHERE absconded_on IS NOT NULL) AS absconded
            FROM {S}.registration WHERE commune_code = ANY($1)""",
        communes,
    )


async def sms_report(conn: Conn, date_from: dt.date, date_to: dt.date) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"""SELECT template_code,
                coalesce(sum(n) FILTER (WHERE outcome = 'sent'), 0)::bigint AS sent,
                coalesce(sum(n) FILTER (WHERE outcome = 'delivered'), 0)::bigint AS delivered,
                coalesce(sum(n) FILTER (WHERE outcome = 'failed'), 0)::bigint AS failed,
                coalesce(sum(n) FILTER (WHERE outcome = 'suppressed'), 0)::bigint AS suppressed
            FROM {S}.sms WHERE day BETWEEN $1 AND $2 GROUP BY 1 ORDER BY 1""",
        date_from,
        date_to,
    )
    return [{k: (v if isinstance(v, str) else int(v)) for k, v in dict(r).items()} for r in rows]


async def monthly_series(
    conn: Conn, communes: list[str], indicator: str, period: Period
) -> list[tuple[dt.date, int]]:
    rows = await conn.fetch(
        f"""SELECT month, sum(n)::bigint AS n FROM {S}.monthly
            WHERE indicator = $1 AND commune_code = ANY($2) AND month >= $3 AND month < $4
            GROUP BY 1 ORDER BY 1""",
        indicator,
        communes,
        period.start,
        period.end,
    )
    return _every_month({r["month"]: int(r["n"]) for r in rows}, period)


def _every_month(found: dict[dt.date, int], period: Period) -> list[tuple[dt.date, int]]:
    """Each month of the period with its count, 0 where none was found."""
    months, day = [], period.start
    while day < period.end:
        months.append((day, found.get(day, 0)))
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


async def by_market(
    conn: Conn, communes: list[str], indicator: str, period: Period
) -> list[tuple[str, int]]:
    rows = await conn.fetch(
        f"""SELECT market, sum(n)::bigint AS n FROM {S}.monthly
            WHERE indicator = $1 AND commune_code = ANY($2) AND month >= $3 AND month < $4
            GROUP BY 1 ORDER BY 2 DESC, 1""",
        indicator,
        communes,
        period.start,
        period.end,
    )
    return [(r["market"] or "?", int(r["n"])) for r in rows]


async def registrations_by_commune(conn: Conn, commune_code: str | None) -> list[dict[str, Any]]:
    """The first slice's report: registrations per commune, all time."""
    rows = await conn.fetch(
        """SELECT commune_code, registered FROM registrations_by_commune
           WHERE $1::text IS NULL OR commune_code = $1 ORDER BY commune_code""",
        commune_code,
    )
    return [{"commune_code": r["commune_code"], "registered": int(r["registered"])} for r in rows]
