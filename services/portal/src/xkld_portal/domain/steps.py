"""The journey's steps as small forms: the service path each posts to, who may take it, and the
fields it asks for. Which steps a file can take next comes from the registration service
(`next_steps`); this table only says how to ask for each one. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from xkld_portal.domain.labels import EARLY_CAUSES, N_
from xkld_portal.domain.staff_forms import digits_of, is_whole, text

Kind = Literal["text", "date", "int", "select", "area", "bool", "money_lines"]
# Where a select's choices come from: a fixed list, or reference data read at render time.
Source = Literal["fixed", "enterprises", "markets", "courses", "enrolled_courses"]

COMMUNE, LABOUR, TRAINING = "commune_officer", "labour_officer", "training_staff"


@dataclass(frozen=True)
class Ask:
    name: str
    label: str
    kind: Kind = "text"
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    source: Source = "fixed"


@dataclass(frozen=True)
class Step:
    path: str
    label: str
    roles: frozenset[str]
    asks: tuple[Ask, ...] = ()
    danger: bool = False


@dataclass(frozen=True)
class Problem:
    name: str
    message: str  # an English message, translated where it is shown


@dataclass
class Parsed:
    body: dict[str, object] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


_DATE = N_("Date")
_NOTE = Ask("note", N_("Note"), "area", required=False)
_REASONS = (
    ("not_voluntary", N_("Does not go voluntarily")),
    ("under_age", N_("Under the age limit")),
    ("barred_from_exit", N_("Barred from leaving the country")),
    ("incomplete_file", N_("Incomplete file")),
    ("changed_mind", N_("Changed their mind")),
    ("other", N_("Other reason")),
)
_REASON = (
    Ask("reason_code", N_("Reason"), "select", choices=_REASONS),
    Ask("reason", N_("Explanation"), "area", required=False),
)
_CHANNELS = (
    ("phone", N_("Phone call")),
    ("sms", N_("SMS")),
    ("visit", N_("Visit to the family")),
    ("enterprise_report", N_("Report from the enterprise")),
    ("other", N_("Other")),
)
_WORK = (
    ("working", N_("Working")),
    ("between_jobs", N_("Between jobs")),
    ("not_working", N_("Not working")),
)
_WELLBEING = (("good", N_("Good")), ("fair", N_("Fair")), ("poor", N_("Poor")))
_PROGRAMMES = (
    ("labour_export", N_("Labour export")),
    ("labour_export_poor_district", N_("Labour export, poor district")),
    ("korea_eps_deposit", N_("Korea EPS deposit")),
)
_REFERRALS = (
    ("employment_service_centre", N_("Employment service centre")),
    ("vocational_training", N_("Vocational training")),
    ("business_loan", N_("Loan to start a business")),
    ("local_enterprise", N_("Local enterprise")),
)

STEPS: tuple[Step, ...] = (
    Step("eligibility", N_("Find eligible"), frozenset({LABOUR})),
    Step("rejection", N_("Reject"), frozenset({LABOUR}), _REASON, danger=True),
    Step(
        "enrolments",
        N_("Enrol in a course"),
        frozenset({TRAINING}),
        (Ask("course_id", N_("Course"), "select", source="courses"),),
    ),
    Step(
        "training-results",
        N_("Record a course result"),
        frozenset({TRAINING}),
        (
            Ask("course_id", N_("Course"), "select", source="enrolled_courses"),
            Ask("passed", N_("Passed"), "bool", required=False),
            Ask("certificate_number", N_("Certificate number"), required=False),
        ),
    ),
    Step(
        "loan-request",
        N_("Request a VBSP loan"),
        frozenset({COMMUNE}),
        (
            Ask("requested_vnd", N_("Amount asked (VND)"), "int"),
            Ask("cost_breakdown_vnd", N_("Costs under the contract (VND)"), "money_lines"),
            Ask("requested_term_months", N_("Loan term (months)"), "int"),
            Ask("market_code", N_("Market"), "select", source="markets"),
            Ask("programme", N_("Lending programme"), "select", choices=_PROGRAMMES),
            Ask("contract_term_months", N_("Contract term (months)"), "int"),
        ),
    ),
    Step("no-loan", N_("Goes without a loan"), frozenset({COMMUNE}), (_NOTE,)),
    Step(
        "contract",
        N_("Record the signed contract"),
        frozenset({LABOUR}),
        (
            Ask("enterprise_code", N_("Enterprise"), "select", source="enterprises"),
            Ask("contract_number", N_("Contract number")),
            Ask("market_code", N_("Market"), "select", source="markets"),
            Ask("programme", N_("Programme (e.g. TITP, EPS)")),
            Ask("employer_name", N_("Employer")),
            Ask("term_months", N_("Term (months)"), "int"),
            Ask("monthly_salary", N_("Monthly salary (in the currency's smallest unit)"), "int"),
            Ask("salary_currency", N_("Currency (e.g. JPY)")),
            Ask("signed_on", N_("Signed on"), "date"),
            # Optional: judged against the legal cap in reporting (enterprise reputation).
            Ask("fee_vnd", N_("Fee the worker paid (VND)"), "int", required=False),
        ),
    ),
    Step(
        "gates/health-certificate",
        N_("Record the health certificate"),
        frozenset({COMMUNE, LABOUR}),
        (
            Ask("certificate_number", N_("Certificate number")),
            Ask("issued_on", N_("Issued on"), "date"),
            Ask("facility", N_("Health facility")),
            Ask("conclusion", N_("Conclusion"), "area"),
        ),
    ),
    Step(
        "gates/deposit-or-guarantee",
        N_("Record the deposit or guarantee"),
        frozenset({COMMUNE, LABOUR}),
        (
            Ask(
                "kind",
                N_("Kind"),
                "select",
                choices=(("deposit", N_("Deposit")), ("guarantee", N_("Guarantee"))),
            ),
            Ask("amount_vnd", N_("Amount (VND)"), "int", required=False),
            Ask("reference", N_("Document number")),
        ),
    ),
    Step(
        "gates/visa",
        N_("Record the visa"),
        frozenset({LABOUR}),
        (
            Ask("visa_number", N_("Visa number")),
            Ask("issued_on", N_("Issued on"), "date"),
            Ask("expires_on", N_("Expires on"), "date", required=False),
        ),
    ),
    Step(
        "departure-schedule",
        N_("Schedule the departure"),
        frozenset({LABOUR}),
        (
            Ask("departure_on", N_("Departure date"), "date"),
            Ask("flight_number", N_("Flight number"), required=False),
        ),
    ),
    Step(
        "departure",
        N_("Record the departure"),
        frozenset({LABOUR}),
        (Ask("departed_on", N_("Departed on"), "date", required=False),),
    ),
    Step(
        "check-ins",
        N_("Record a check-in"),
        frozenset({COMMUNE, LABOUR}),
        (
            Ask("checked_in_on", _DATE, "date"),
            Ask("channel", N_("How"), "select", choices=_CHANNELS),
            Ask("employment_status", N_("Work"), "select", choices=_WORK),
            Ask("wellbeing", N_("Wellbeing"), "select", choices=_WELLBEING),
            Ask("remittance_vnd", N_("Money sent home (VND)"), "int", required=False),
            Ask("incidents", N_("Incidents"), "area", required=False),
        ),
    ),
    Step(
        "absconding",
        N_("Report absconding"),
        frozenset({COMMUNE, LABOUR}),
        (_NOTE,),
        danger=True,
    ),
    Step(
        "return",
        N_("Record the return"),
        frozenset({COMMUNE, LABOUR}),
        (
            Ask("returned_on", N_("Returned on"), "date", required=False),
            Ask(
                "early_cause",
                N_("Early return: cause (Law 69/2020, Art. 67)"),
                "select",
                required=False,
                choices=tuple(EARLY_CAUSES.items()),
            ),
            _NOTE,
        ),
    ),
    Step(
        "reintegration-referrals",
        N_("Refer for reintegration"),
        frozenset({COMMUNE, LABOUR}),
        (Ask("referral_code", N_("Referred to"), "select", choices=_REFERRALS), _NOTE),
    ),
    Step("withdrawal", N_("Withdraw the file"), frozenset({COMMUNE, LABOUR}), _REASON, danger=True),
)
BY_PATH = {step.path: step for step in STEPS}
COST_LINES = (
    ("service_fee", N_("Service fee")),
    ("airfare", N_("Airfare")),
    ("training", N_("Training and language")),
    ("other", N_("Other costs")),
)


def offered(next_steps: list[str], roles: frozenset[str]) -> list[Step]:
    """The steps to show as buttons: allowed next by the rules and by this person's role."""
    return [BY_PATH[p] for p in next_steps if p in BY_PATH and BY_PATH[p].roles & roles]


def parse(step: Step, form: dict[str, object]) -> Parsed:
    parsed = Parsed()
    for ask in step.asks:
        _read(ask, form, parsed)
    if step.path == "loan-request" and not parsed.problems:
        parsed.body["purpose_code"] = "labour_export_costs"
    return parsed


def _read(ask: Ask, form: dict[str, object], parsed: Parsed) -> None:
    if ask.kind == "money_lines":
        _read_costs(ask, form, parsed)
    else:
        _read_one(ask, text(form, ask.name), parsed)


def _read_one(ask: Ask, raw: str, parsed: Parsed) -> None:
    if ask.kind == "bool":
        parsed.body[ask.name] = raw == "true"
    elif not raw:
        if ask.required:
            parsed.problems.append(Problem(ask.name, N_("This field is required")))
    elif ask.kind == "int":
        _read_whole(ask.name, raw, parsed)
    else:
        parsed.body[ask.name] = raw


def _read_whole(name: str, raw: str, parsed: Parsed) -> None:
    digits = digits_of(raw)
    if not is_whole(digits):
        parsed.problems.append(Problem(name, N_("Must be a whole number")))
        return
    parsed.body[name] = int(digits)


def _read_costs(ask: Ask, form: dict[str, object], parsed: Parsed) -> None:
    costs: dict[str, int] = {}
    for code, _ in COST_LINES:
        raw = digits_of(text(form, f"{ask.name}.{code}"))
        if not raw:
            continue
        if not is_whole(raw):
            parsed.problems.append(Problem(f"{ask.name}.{code}", N_("Must be a whole number")))
            return
        costs[code] = int(raw)
    if not costs:
        parsed.problems.append(Problem(ask.name, N_("Enter at least one cost")))
        return
    parsed.body[ask.name] = costs
