"""What bank staff read: work queues, one loan's history and balance, the portfolio.

Everything is scoped to the reader's branch. Amounts are integer VND.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from asyncpg import Record
from xkld_shared.db.pool import Conn

from xkld_loans.domain.overdue import AGE_BUCKETS, age_bucket, days_past_due
from xkld_loans.domain.transaction_days import TransactionDays

GroupBy = Literal["commune", "regime"]
_QUEUE_COLUMNS = """id, registration_id, commune_code, status, requested_vnd,
    evaluation ->> 'regime_code' AS regime_code, (evaluation ->> 'eligible')::bool AS eligible,
    proposal ->> 'amount_vnd' AS proposed_vnd, proposal ->> 'proposed_by' AS proposed_by,
    reviewer, review_flag, review_flagged_on, created_at, updated_at"""


def _row(record: Any) -> dict[str, Any]:
    row = dict(record)
    for key in ("id", "registration_id"):
        row[key] = str(row[key])
    if row.get("proposed_vnd") is not None:
        row["proposed_vnd"] = int(row["proposed_vnd"])
    return row


async def applications_to_review(conn: Conn, branch: str) -> list[dict[str, Any]]:
    where = """branch_code = $1 AND status IN ('application_received', 'under_review')
            ORDER BY created_at"""
    return await _queue(conn, where, branch)


async def proposals_to_confirm(conn: Conn, branch: str, reader: str) -> list[dict[str, Any]]:
    """Proposals the reader may confirm: never their own (maker-checker)."""
    where = """branch_code = $1 AND status = 'proposed'
              AND proposal ->> 'proposed_by' <> $2
            ORDER BY updated_at"""
    return await _queue(conn, where, branch, reader)


async def flagged_for_review(conn: Conn, branch: str) -> list[dict[str, Any]]:
    where = "branch_code = $1 AND review_flag IS NOT NULL ORDER BY review_flagged_on"
    return await _queue(conn, where, branch)


async def disbursements_due(
    conn: Conn, branch: str, days: TransactionDays, from_day: dt.date, until: dt.date | None
) -> list[dict[str, Any]]:
    """Approved loans, each with its commune's next transaction day, soonest first."""
    rows = await _queue(conn, "branch_code = $1 AND status = 'approved'", branch)
    return _by_transaction_day(rows, days, from_day, until)


async def _queue(conn: Conn, where: str, *args: object) -> list[dict[str, Any]]:
    """The applications that meet `where` (with its ORDER BY), in the queues' columns."""
    rows = await conn.fetch(
        f"""SELECT {_QUEUE_COLUMNS} FROM loan_application
            WHERE {where}""",
        *args,
    )
    return [_row(r) for r in rows]


def _by_transaction_day(
    rows: list[dict[str, Any]], days: TransactionDays, from_day: dt.date, until: dt.date | None
) -> list[dict[str, Any]]:
    """Each loan with its commune's next transaction day (none after `until`), soonest first."""
    queue = []
    for row in rows:
        due = days.next_on_or_after(row["commune_code"], from_day)
        if until is None or due <= until:
            queue.append({**row, "transaction_day": due})
    return sorted(queue, key=lambda r: (r["transaction_day"], r["created_at"]))


async def overdue_loans(conn: Conn, branch: str, as_of: dt.date) -> list[dict[str, Any]]:
    """Loans being repaid with something unpaid from an instalment due before `as_of`: the
    oldest such instalment, how many days late it is, and what is unpaid of the late ones.
    Longest late first."""
    rows = await conn.fetch(
        """SELECT a.id, a.commune_code, MIN(i.due_on) AS oldest_due_on,
                  SUM(i.principal_vnd - i.principal_paid_vnd) AS overdue_principal_vnd,
                  SUM(i.interest_vnd - i.interest_paid_vnd
                      + i.overdue_interest_vnd - i.overdue_interest_paid_vnd)
                      AS overdue_interest_vnd
           FROM loan_application a JOIN installment i ON i.loan_application_id = a.id
           WHERE a.branch_code = $1 AND a.status = 'disbursed' AND i.due_on < $2
             AND (i.principal_paid_vnd < i.principal_vnd OR i.interest_paid_vnd < i.interest_vnd
                  OR i.overdue_interest_paid_vnd < i.overdue_interest_vnd)
           GROUP BY a.id, a.commune_code ORDER BY MIN(i.due_on), a.id""",
        branch,
        as_of,
    )
    return [_overdue_view(r, as_of) for r in rows]


def _overdue_view(r: Record, as_of: dt.date) -> dict[str, Any]:
    return {
        "id": str(r["id"]),
        "commune_code": r["commune_code"],
        "oldest_due_on": r["oldest_due_on"],
        "days_past_due": days_past_due(r["oldest_due_on"], as_of),
        "overdue_principal_vnd": int(r["overdue_principal_vnd"]),
        "overdue_interest_vnd": int(r["overdue_interest_vnd"]),
    }


async def repayments_of(conn: Conn, application_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT id, amount_vnd, paid_on, allocation, recorded_by, created_at
           FROM repayment WHERE loan_application_id = $1 ORDER BY paid_on, created_at""",
        application_id,
    )
    return [{**dict(r), "id": str(r["id"])} for r in rows]


async def balance_on(conn: Conn, application_id: uuid.UUID, day: dt.date) -> dict[str, Any]:
    """Principal outstanding at the end of `day`, from the disbursement and the payment
    history (exact for any past day), and what had been paid by then."""
    disbursed = await conn.fetchrow(
        "SELECT amount_vnd, disbursed_on FROM disbursement WHERE loan_application_id = $1",
        application_id,
    )
    if disbursed is None or disbursed["disbursed_on"] > day:
        return {"on": day, "disbursed_vnd": 0, "outstanding_principal_vnd": 0}
    paid = await _paid_by(conn, application_id, day)
    written_off = await _written_off_by(conn, application_id, day)
    return _balance(day, disbursed, paid, written_off)


async def _paid_by(conn: Conn, application_id: uuid.UUID, day: dt.date) -> Record:
    """Principal, interest and overdue interest repaid up to the end of `day`."""
    paid = await conn.fetchrow(
        """SELECT COALESCE(SUM((allocation ->> 'principal_vnd')::bigint
                              + (allocation ->> 'early_principal_vnd')::bigint), 0) AS principal,
                  COALESCE(SUM((allocation ->> 'interest_vnd')::bigint), 0) AS interest,
                  COALESCE(SUM((allocation ->> 'overdue_interest_vnd')::bigint), 0) AS overdue
           FROM repayment WHERE loan_application_id = $1 AND paid_on <= $2""",
        application_id,
        day,
    )
    assert paid is not None  # an aggregate always answers one row
    return paid


async def _written_off_by(conn: Conn, application_id: uuid.UUID, day: dt.date) -> Any:
    return await conn.fetchval(
        """SELECT COALESCE(SUM((details ->> 'written_off_principal_vnd')::bigint), 0)
           FROM restructuring WHERE loan_application_id = $1 AND effective_on <= $2""",
        application_id,
        day,
    )


def _balance(day: dt.date, disbursed: Record, paid: Record, written_off: Any) -> dict[str, Any]:
    principal_paid = int(paid["principal"])
    return {
        "on": day,
        "disbursed_vnd": disbursed["amount_vnd"],
        "principal_repaid_vnd": principal_paid,
        "interest_paid_vnd": int(paid["interest"]),
        "overdue_interest_paid_vnd": int(paid["overdue"]),
        "principal_written_off_vnd": int(written_off),
        "outstanding_principal_vnd": disbursed["amount_vnd"] - principal_paid - int(written_off),
    }


def _empty_buckets() -> dict[str, int]:
    return {label: 0 for label, _, _ in AGE_BUCKETS}


@dataclass
class _Line:
    outstanding_principal_vnd: int = 0
    overdue_principal_vnd: int = 0
    overdue_interest_owed_vnd: int = 0
    at_risk_principal_vnd: int = 0
    buckets: dict[str, int] = field(default_factory=_empty_buckets)


async def portfolio(
    conn: Conn, branch: str, as_of: dt.date, group_by: GroupBy
) -> list[dict[str, Any]]:
    """Outstanding principal, overdue principal by age bucket, and portfolio at risk (PAR30:
    the whole outstanding principal of loans with any instalment more than 30 days late)."""
    key = "a.commune_code" if group_by == "commune" else "a.evaluation ->> 'regime_code'"
    rows = await conn.fetch(
        f"""SELECT {key} AS grp, a.id, i.due_on,
                   i.principal_vnd - i.principal_paid_vnd AS unpaid_principal,
                   i.interest_vnd - i.interest_paid_vnd AS unpaid_interest,
                   i.overdue_interest_vnd - i.overdue_interest_paid_vnd AS unpaid_overdue
            FROM loan_application a
            JOIN disbursement d ON d.loan_application_id = a.id AND d.disbursed_on <= $2
            JOIN installment i ON i.loan_application_id = a.id
            WHERE a.branch_code = $1 AND a.status IN ('disbursed', 'frozen')""",
        branch,
        as_of,
    )
    return _summarise(rows, as_of)


def _summarise(rows: list[Any], as_of: dt.date) -> list[dict[str, Any]]:
    lines: dict[str, _Line] = defaultdict(_Line)
    loans: dict[str, set[uuid.UUID]] = defaultdict(set)
    oldest: dict[uuid.UUID, int] = defaultdict(int)
    principal_of: dict[uuid.UUID, int] = defaultdict(int)
    group_of: dict[uuid.UUID, str] = {}
    for r in rows:
        loans[r["grp"]].add(r["id"])
        group_of[r["id"]] = r["grp"]
        principal_of[r["id"]] += r["unpaid_principal"]
        late = _add_instalment(lines[r["grp"]], r, as_of)
        if late is not None:
            oldest[r["id"]] = max(oldest[r["id"]], late)
    for loan, late in oldest.items():
        if late > 30:
            lines[group_of[loan]].at_risk_principal_vnd += principal_of[loan]
    return [_line_view(group, line, len(loans[group])) for group, line in sorted(lines.items())]


def _add_instalment(line: _Line, r: Any, as_of: dt.date) -> int | None:
    """Adds an instalment to its group's line; how many days late it is, when it is overdue."""
    line.outstanding_principal_vnd += r["unpaid_principal"]
    line.overdue_interest_owed_vnd += r["unpaid_overdue"]
    late = days_past_due(r["due_on"], as_of)
    bucket = age_bucket(late)
    if bucket and (r["unpaid_principal"] or r["unpaid_interest"]):
        line.overdue_principal_vnd += r["unpaid_principal"]
        line.buckets[bucket] += r["unpaid_principal"]
        return late
    return None


def _line_view(group: str, line: _Line, loans: int) -> dict[str, Any]:
    par = _par30(line)
    return {
        "group": group,
        "loans": loans,
        "outstanding_principal_vnd": line.outstanding_principal_vnd,
        "overdue_principal_vnd": line.overdue_principal_vnd,
        "overdue_by_age_vnd": line.buckets,
        "overdue_interest_owed_vnd": line.overdue_interest_owed_vnd,
        "par30_principal_vnd": line.at_risk_principal_vnd,
        "par30_ratio": str(par.quantize(Decimal("0.0001"), ROUND_HALF_UP)),
    }


def _par30(line: _Line) -> Decimal:
    """The share of the outstanding principal at risk (0 when nothing is outstanding)."""
    if not line.outstanding_principal_vnd:
        return Decimal(0)
    return Decimal(line.at_risk_principal_vnd) / Decimal(line.outstanding_principal_vnd)


async def overdue_totals(conn: Conn, as_of: dt.date) -> tuple[int, int]:
    """Across all branches: loans overdue as `overdue_loans` counts them, and the principal
    unpaid of their late instalments."""
    row = await conn.fetchrow(
        """SELECT count(DISTINCT a.id) AS loans,
                  COALESCE(SUM(i.principal_vnd - i.principal_paid_vnd), 0) AS principal
           FROM loan_application a JOIN installment i ON i.loan_application_id = a.id
           WHERE a.status = 'disbursed' AND i.due_on < $1
             AND (i.principal_paid_vnd < i.principal_vnd OR i.interest_paid_vnd < i.interest_vnd
                  OR i.overdue_interest_paid_vnd < i.overdue_interest_vnd)""",
        as_of,
    )
    assert row is not None
    return int(row["loans"]), int(row["principal"])
