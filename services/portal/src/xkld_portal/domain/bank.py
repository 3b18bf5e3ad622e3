"""The bank's screens: names of the loans service's codes, the posted forms as its JSON bodies,
and how its lists are grouped for a page. Values go on as typed: the loans service checks them
and its message is shown next to the field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from xkld_portal.domain.labels import N_
from xkld_portal.domain.staff_forms import Form, optional, text, whole, whole_vnd

APPLICATION_STATUSES = {
    "application_received": N_("Received, not yet reviewed"),
    "under_review": N_("Being reviewed"),
    "proposed": N_("Proposed, waiting for the manager"),
    "approved": N_("Approved, waiting for disbursement"),
    "rejected": N_("Refused"),
    "disbursed": N_("Disbursed, being repaid"),
    "settled": N_("Fully repaid"),
    "withdrawn": N_("Withdrawn by the worker"),
    "frozen": N_("Frozen (repayment suspended)"),
    "written_off": N_("Written off"),
}
PROGRAMMES = {
    "labour_export": N_("Work abroad under contract"),
    "korea_eps_deposit": N_("Deposit for work in Korea (EPS)"),
}
CHANNELS = {
    "commune_transaction_point": N_("At the commune transaction point"),
    "bank_transfer": N_("Bank transfer"),
}
RESTRUCTURING_KINDS = {
    "extended": N_("Extend the term"),
    "frozen": N_("Freeze (suspend repayment and interest)"),
    "written_off": N_("Write off"),
}
HISTORY_ACTIONS = {
    "loan.application_received": N_("Application received"),
    "loan.review_started": N_("Review started"),
    "loan.proposed": N_("Decision proposed"),
    "loan.decision_confirmed": N_("Proposal confirmed by the manager"),
    "loan.proposal_sent_back": N_("Proposal sent back by the manager"),
    "loan.disbursed": N_("Loan disbursed"),
    "loan.repayment_recorded": N_("Repayment recorded"),
    "loan.settled": N_("Loan fully repaid"),
    "loan.extended": N_("Term extended"),
    "loan.frozen": N_("Loan frozen"),
    "loan.written_off": N_("Loan written off"),
    "loan.withdrawn_by_registration": N_("Withdrawn with the worker's file"),
    "loan.flagged_for_review": N_("Flagged for review"),
}
INSTALMENT_STATES = {
    "paid": N_("Paid"),
    "overdue": N_("Overdue"),
    "due": N_("Not yet due"),
}
# Statuses in which money has moved: the loan has a schedule, repayments and a balance.
WITH_MONEY = frozenset({"disbursed", "settled", "frozen", "written_off"})
TO_PROPOSE = frozenset({"application_received", "under_review"})
AGE_BUCKETS = ("1-30", "31-90", "91-180", ">180")


def proposal_body(form: Form) -> dict[str, Any]:
    if text(form, "decision") == "reject":
        return {"decision": "reject", "reason": optional(form, "reason")}
    return {
        "decision": "approve",
        "amount_vnd": whole_vnd(form, "amount_vnd"),
        "term_months": whole(form, "term_months"),
    }


def disbursement_body(form: Form) -> dict[str, Any]:
    return {
        "amount_vnd": whole_vnd(form, "amount_vnd"),
        "disbursed_on": optional(form, "disbursed_on"),
        "channel": optional(form, "channel"),
    }


def repayment_body(form: Form) -> dict[str, Any]:
    return {"amount_vnd": whole_vnd(form, "amount_vnd"), "paid_on": optional(form, "paid_on")}


def restructuring_body(form: Form) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": optional(form, "kind"),
        "effective_on": optional(form, "effective_on"),
        "reason": text(form, "reason"),
    }
    if text(form, "extra_months"):  # only an extension has it
        body["extra_months"] = whole(form, "extra_months")
    return body


def by_commune(rows: Iterable[Mapping[str, Any]]) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """The queue grouped by commune, each group and the whole kept oldest first."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(str(row["commune_code"]), []).append(row)
    return sorted(groups.items(), key=lambda g: str(g[1][0]["created_at"]))


def by_transaction_day(
    rows: Iterable[Mapping[str, Any]],
) -> list[tuple[str, str, list[Mapping[str, Any]]]]:
    """The day sheet: (day, commune, loans due there that day), soonest first."""
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault((str(row["transaction_day"]), str(row["commune_code"])), []).append(row)
    return [(day, commune, loans) for (day, commune), loans in sorted(groups.items())]


def instalment_state(row: Mapping[str, Any], today: dt.date) -> str:
    if _owed(row) <= 0:
        return "paid"
    return "overdue" if dt.date.fromisoformat(str(row["due_on"])) < today else "due"


def _owed(row: Mapping[str, Any]) -> Any:
    """What is left of the instalment: principal, interest and overdue interest, less paid."""
    return (
        row["principal_vnd"]
        - row["principal_paid_vnd"]
        + row["interest_vnd"]
        - row["interest_paid_vnd"]
        + row["overdue_interest_vnd"]
        - row["overdue_interest_paid_vnd"]
    )


def percent(ratio: str | float | None) -> str:
    """PAR30 as people read it: `12,5 %` in Vietnamese style, from the service's `0.1250`."""
    value = float(ratio or 0) * 100
    return f"{value:.1f}".replace(".", ",") + " %"


def rate_percent(rate: str | None) -> str:
    """A monthly rate `0.0055` as `0,55 %/tháng`-style digits; the unit is in the template."""
    if rate is None:
        return ""
    return f"{float(rate) * 100:.3f}".rstrip("0").rstrip(".").replace(".", ",") + " %"
