"""The steps of a worker's journey as registration requests, and which of them a file already
shows, so that a second run does only what is missing.

Whether a step is done is read from the file's timeline (every event the file emitted, and the
audit rows of the bank's decisions), counted: a worker with two check-ins planned and one
recorded gets one more, never a third.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xkld_shared.demo import data
from xkld_shared.demo.data import Worker

Request = tuple[str, str, dict[str, Any]]  # (who, path under the file, body)


@dataclass(frozen=True)
class Refs:
    """What the steps point at: course ids by code, and the day of this run (Vietnam time)."""

    courses: dict[str, str]
    today: dt.date

    def day(self, offset: int) -> str:
        return (self.today + dt.timedelta(days=offset)).isoformat()


# --- which steps are done ---------------------------------------------------------------------

_EVENT_OF = {
    "eligible": "RegistrationFoundEligible",
    "reject": "RegistrationRejected",
    "withdraw": "RegistrationWithdrawn",
    "enrol": "TrainingEnrolled",
    "pass": "TrainingCompleted",
    "loan": "LoanRequested",
    "no_loan": "NoLoanDeclared",
    "contract": "ContractSigned",
    "health": "DepartureGateCleared",
    "deposit": "DepartureGateCleared",
    "visa": "DepartureGateCleared",
    "schedule": "DepartureScheduled",
    "depart": "WorkerDeparted",
    "check_in": "CheckInRecorded",
    "abscond": "WorkerAbsconded",
    "return": "WorkerReturned",
    "return_early": "WorkerReturned",
    "refer": "ReintegrationReferred",
    # The bank's decisions reach the file over Kafka; registration audits each one.
    "approve": "journey.loan_approved",
    "decline": "journey.loan_rejected",
    "disburse": "journey.loan_disbursed",
}
_GATE = {"health": "health_certificate", "deposit": "deposit_or_guarantee", "visa": "visa"}


def course_of(step: str, worker: Worker) -> str:
    code = step.partition(":")[2]
    return worker.language_course if code == "lang" else code


def step_key(step: str, worker: Worker) -> tuple[str, str]:
    name = step.partition(":")[0]
    detail = course_of(step, worker) if name in ("enrol", "pass") else _GATE.get(name, "")
    return _EVENT_OF[name], detail


def entry_key(entry: dict[str, Any]) -> tuple[str, str]:
    details = entry.get("details") or {}
    if entry["kind"] != "event":
        return str(entry["type"]), ""
    return str(entry["type"]), str(details.get("course_code") or details.get("gate") or "")


def remaining(worker: Worker, timeline: list[dict[str, Any]]) -> list[int]:
    """The places in the plan of the steps the timeline does not show yet, in order."""
    have = Counter(entry_key(e) for e in timeline)
    seen: Counter[tuple[str, str]] = Counter()
    left = []
    for position, step in enumerate(worker.scenario.steps):
        wanted = step_key(step, worker)
        seen[wanted] += 1
        if have[wanted] < seen[wanted]:
            left.append(position)
    return left


# --- the requests -----------------------------------------------------------------------------

Build = Callable[[Worker, Refs, int], Request]
LABOUR, COMMUNE, TRAINING = data.LABOUR_OFFICER, data.COMMUNE_OFFICER, data.TRAINING_STAFF
REJECTIONS = (
    ("incomplete_documents", "Thiếu giấy xác nhận hộ nghèo do xã cấp"),
    ("not_voluntary", "Người lao động cho biết không tự nguyện tham gia"),
)
FLIGHTS = {"JP": "VN 300", "KR": "VN 416", "TW": "CI 782", "DE": "VN 31", "MY": "MH 751"}


def _reject(w: Worker, r: Refs, n: int) -> Request:
    code, why = REJECTIONS[w.number % len(REJECTIONS)]
    return LABOUR, "/rejection", {"reason_code": code, "reason": why}


def _withdraw(w: Worker, r: Refs, n: int) -> Request:
    early = n == 0
    code = "changed_mind" if early else "found_local_job"
    why = "Gia đình không đồng ý cho đi" if early else "Đã tìm được việc làm tại địa phương"
    return COMMUNE, "/withdrawal", {"reason_code": code, "reason": why}


def _enrol(w: Worker, r: Refs, n: int) -> Request:
    course = course_of(w.scenario.steps[n], w)
    return TRAINING, "/enrolments", {"course_id": r.courses[course]}


def _pass(w: Worker, r: Refs, n: int) -> Request:
    course = course_of(w.scenario.steps[n], w)
    body = {
        "course_id": r.courses[course],
        "passed": True,
        "certificate_number": f"{course}/{w.number + 1:04d}",
        "completed_on": r.day(0),
    }
    return TRAINING, "/training-results", body


def _loan(w: Worker, r: Refs, n: int) -> Request:
    m = data.MARKETS[w.market]
    body = {
        "requested_vnd": m.loan_vnd,
        "cost_breakdown_vnd": m.costs_vnd,
        "purpose_code": "labour_export_costs",
        "purpose_note": "Vay để nộp chi phí đi làm việc ở nước ngoài theo hợp đồng",
        "requested_term_months": m.term_months,
        "market_code": w.market,
        "programme": "labour_export",
        "contract_term_months": m.term_months,
    }
    return COMMUNE, "/loan-request", body


def _contract(w: Worker, r: Refs, n: int) -> Request:
    m = data.MARKETS[w.market]
    body = {
        "enterprise_code": m.enterprise,
        "contract_number": f"{w.number + 1:03d}/{r.today.year}/HĐ-{m.enterprise[3:]}",
        "market_code": w.market,
        "programme": m.programme,
        "employer_name": m.employer,
        "term_months": m.term_months,
        "monthly_salary": m.salary,
        "salary_currency": m.currency,
        "signed_on": r.day(0),
    }
    return LABOUR, "/contract", body


def _health(w: Worker, r: Refs, n: int) -> Request:
    body = {
        "certificate_number": f"{w.number + 1:04d}/GKSK",
        "issued_on": r.day(-5),
        "facility": "Bệnh viện Đa khoa tỉnh Vĩnh Long",
        "conclusion": "Đủ sức khoẻ đi làm việc ở nước ngoài",
    }
    return COMMUNE, "/gates/health-certificate", body


def _deposit(w: Worker, r: Refs, n: int) -> Request:
    if w.market == "KR_EPS":
        body = {"kind": "deposit", "amount_vnd": 100_000_000, "reference": f"KQ-{w.number + 1}"}
    else:
        body = {"kind": "guarantee", "reference": f"BL-{w.number + 1:03d}/{r.today.year}"}
    return COMMUNE, "/gates/deposit-or-guarantee", body


def _visa(w: Worker, r: Refs, n: int) -> Request:
    return LABOUR, "/gates/visa", {"visa_number": f"V{w.number + 1:07d}", "issued_on": r.day(-2)}


def _schedule(w: Worker, r: Refs, n: int) -> Request:
    # Those who go in this demo leave today; the others are booked a few weeks ahead.
    later = 0 if "depart" in w.scenario.steps else 14 + w.number % 20
    flight = FLIGHTS[w.market[:2]]
    return LABOUR, "/departure-schedule", {"departure_on": r.day(later), "flight_number": flight}


def _check_in(w: Worker, r: Refs, n: int) -> Request:
    second = w.scenario.steps[:n].count("check_in") > 0
    body = {
        "checked_in_on": r.day(0),
        "channel": "enterprise_report" if second else ("phone", "sms", "visit")[w.number % 3],
        "employment_status": "working",
        "wellbeing": ("good", "fair")[w.number % 2],
        "remittance_vnd": None if second else 10_000_000 + 1_000_000 * (w.number % 7),
        "incidents": "Bị cảm, nghỉ làm hai ngày" if second and w.number % 2 else None,
    }
    return COMMUNE, "/check-ins", body


def _return(w: Worker, r: Refs, n: int) -> Request:
    return COMMUNE, "/return", {"returned_on": r.day(0), "note": "Hết hạn hợp đồng, về nước"}


def _return_early(w: Worker, r: Refs, n: int) -> Request:
    notes = {
        "accident_or_illness": "Tai nạn lao động, về nước điều trị",
        "employer_bankruptcy_or_force_majeure": "Công ty tiếp nhận phá sản",
        "terminated_for_abuse": "Chấm dứt hợp đồng do bị ngược đãi",
        "dispute": "Tranh chấp tiền lương với chủ sử dụng",
    }
    body = {"returned_on": r.day(0), "early_cause": w.early_cause, "note": notes[w.early_cause]}
    return COMMUNE, "/return", body


def _fixed(who: str, path: str, body: dict[str, Any]) -> Build:
    return lambda w, r, n: (who, path, body)


BUILDERS: dict[str, Build] = {
    "eligible": _fixed(LABOUR, "/eligibility", {}),
    "reject": _reject,
    "withdraw": _withdraw,
    "enrol": _enrol,
    "pass": _pass,
    "loan": _loan,
    "no_loan": _fixed(COMMUNE, "/no-loan", {"note": "Gia đình tự lo chi phí, không vay vốn"}),
    "contract": _contract,
    "health": _health,
    "deposit": _deposit,
    "visa": _visa,
    "schedule": _schedule,
    "depart": lambda w, r, n: (LABOUR, "/departure", {"departed_on": r.day(0)}),
    "check_in": _check_in,
    "abscond": _fixed(COMMUNE, "/absconding", {"note": "Doanh nghiệp báo mất liên lạc"}),
    "return": _return,
    "return_early": _return_early,
    "refer": _fixed(
        COMMUNE,
        "/reintegration-referrals",
        {
            "referral_code": "employment_service_centre",
            "note": "Giới thiệu đến Trung tâm Dịch vụ việc làm tỉnh Vĩnh Long",
        },
    ),
}


def request_for(worker: Worker, position: int, refs: Refs) -> Request:
    """The request of the step at this place in the plan (the place picks e.g. which check-in)."""
    step = worker.scenario.steps[position]
    return BUILDERS[step.partition(":")[0]](worker, refs, position)
