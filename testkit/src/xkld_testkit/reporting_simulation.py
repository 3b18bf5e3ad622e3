"""Randomised journeys through the programme, as the producers would publish them.

Used by the tests and the benchmarks: each journey yields its events in order (per stream) and
keeps the ground truth (dates, commune, market, amounts) from which the expected report is
computed independently of the projection code.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field

from xkld_shared.contracts import journey as j
from xkld_shared.contracts import loan as ln
from xkld_shared.contracts import notification as nt
from xkld_shared.contracts.envelope import Envelope, EventPayload, new_envelope
from xkld_shared.contracts.registration import RegistrationSubmitted

MARKETS = ("JP", "KR", "TW", "DE")
ENTERPRISES = ("ENT-A", "ENT-B", "ENT-C")
GROUPS = ("poor_household", "ethnic_minority", "demobilised_soldier", "unemployed_graduate")
CAUSES = ("accident_or_illness", "employer_bankruptcy_or_force_majeure", "dispute")
MERGER = dt.date(2025, 7, 1)


@dataclass
class Journey:
    """The ground truth of one registration, and the events telling it."""

    registration_id: uuid.UUID
    commune_as_registered: str
    submitted_on: dt.date
    market: str | None = None
    trained_on: dt.date | None = None
    departed_on: dt.date | None = None
    disbursed_on: dt.date | None = None
    disbursed_vnd: int = 0
    registration_events: list[Envelope] = field(default_factory=list)
    loan_events: list[Envelope] = field(default_factory=list)
    notification_events: list[Envelope] = field(default_factory=list)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(3, 0), tzinfo=dt.UTC)  # 10:00 in Vietnam


class Simulator:
    def __init__(self, seed: int, communes: dict[str, str], start: dt.date, days: int) -> None:
        """`communes` maps a current commune to the old code it had before 1 Jul 2025 (or to
        itself): registrations before the merger use the old code, as they were recorded."""
        self.rng = random.Random(seed)  # noqa: S311 - test data, reproducible by seed
        self.communes = communes
        self.start, self.days = start, days

    def journeys(self, n: int) -> list[Journey]:
        return [self.journey() for _ in range(n)]

    def _event(self, journey: Journey, payload: EventPayload, day: dt.date, stream: str) -> None:
        env = new_envelope(
            payload, registration_id=journey.registration_id, producer="sim", occurred_at=_at(day)
        )
        {
            "r": journey.registration_events,
            "l": journey.loan_events,
            "n": journey.notification_events,
        }[stream].append(env)

    def _sms(self, journey: Journey, template: str, day: dt.date) -> None:
        message = uuid.UUID(int=self.rng.getrandbits(128), version=4)
        moment = _at(day)
        self._event(
            journey,
            nt.NotificationSent(
                message_id=message,
                template_code=template,
                template_version=1,
                sent_at=moment,
                segments=1,
                encoding="gsm7",
            ),
            day,
            "n",
        )
        if self.rng.random() < 0.9:
            self._event(
                journey,
                nt.NotificationDelivered(
                    message_id=message,
                    template_code=template,
                    template_version=1,
                    delivered_at=moment,
                ),
                day,
                "n",
            )
        else:
            self._event(
                journey,
                nt.NotificationFailed(
                    message_id=message,
                    template_code=template,
                    template_version=1,
                    failed_at=moment,
                    reason_code="timeout",
                ),
                day,
                "n",
            )

    def journey(self) -> Journey:
        rng = self.rng
        current = rng.choice(sorted(self.communes))
        day = self.start + dt.timedelta(days=rng.randrange(self.days))
        as_registered = self.communes[current] if day < MERGER else current
        reg = Journey(uuid.UUID(int=rng.getrandbits(128), version=4), as_registered, day)
        desired = rng.choice((*MARKETS, None))
        self._event(
            reg,
            RegistrationSubmitted(
                commune_code=as_registered,
                gender=rng.choice(("male", "female")),
                birth_year=rng.randrange(1975, 2007),
                submitted_on=day,
                phone_ciphertext="v1.k1.x",
                sms_consent=True,
                hamlet=f"Ấp {rng.randrange(1, 6)}",
                priority_groups=tuple(sorted(set(rng.sample(GROUPS, rng.randrange(0, 3))))),
                desired_market=desired,
            ),
            day,
            "r",
        )
        self._sms(reg, "registration_received", day)
        day += dt.timedelta(days=rng.randrange(1, 20))
        if rng.random() < 0.1:
            self._event(
                reg, j.RegistrationRejected(rejected_on=day, reason_code="underage"), day, "r"
            )
            return reg
        self._event(reg, j.RegistrationFoundEligible(assessed_on=day), day, "r")
        if rng.random() < 0.15:
            self._event(
                reg,
                j.RegistrationWithdrawn(withdrawn_on=day, reason_code="personal", stage="eligible"),
                day,
                "r",
            )
            return reg
        course = uuid.UUID(int=rng.getrandbits(128), version=4)
        ctype = rng.choice(("vocational", "language", "orientation"))
        self._event(
            reg,
            j.TrainingEnrolled(
                course_id=course,
                course_code=f"C-{ctype[:3]}",
                course_type=ctype,
                course_title="Khoá học",
                venue="Trung tâm",
                starts_on=day,
                ends_on=day + dt.timedelta(days=60),
                enrolled_on=day,
            ),
            day,
            "r",
        )
        day += dt.timedelta(days=rng.randrange(30, 90))
        passed = rng.random() < 0.85
        self._event(
            reg,
            j.TrainingCompleted(
                course_id=course,
                course_code=f"C-{ctype[:3]}",
                course_type=ctype,
                completed_on=day,
                passed=passed,
                certificate_issued=passed and rng.random() < 0.9,
            ),
            day,
            "r",
        )
        if not passed:
            return reg
        self._event(reg, j.WorkerTrained(trained_on=day), day, "r")
        reg.trained_on = day
        market = rng.choice(MARKETS)
        reg.market = market
        if rng.random() < 0.6:
            self._loan(reg, day, market)
        else:
            self._event(reg, j.NoLoanDeclared(declared_on=day), day, "r")
        day += dt.timedelta(days=rng.randrange(5, 40))
        if rng.random() < 0.2:
            return reg
        enterprise = rng.choice(ENTERPRISES)
        self._event(
            reg,
            j.ContractSigned(
                enterprise_code=enterprise,
                market_code=market,
                programme="labour_export",
                term_months=36,
                signed_on=day,
            ),
            day,
            "r",
        )
        day += dt.timedelta(days=rng.randrange(10, 40))
        self._event(reg, j.DepartureScheduled(departure_on=day, market_code=market), day, "r")
        if rng.random() < 0.1:
            return reg
        self._event(
            reg,
            j.WorkerDeparted(departed_on=day, market_code=market, enterprise_code=enterprise),
            day,
            "r",
        )
        reg.departed_on = day
        self._sms(reg, "departed", day)
        day += dt.timedelta(days=rng.randrange(30, 400))
        self._event(
            reg,
            j.CheckInRecorded(checked_in_on=day, channel="phone", employment_status="working"),
            day,
            "r",
        )
        fate = rng.random()
        if fate < 0.1:
            self._event(reg, j.WorkerAbsconded(reported_on=day), day, "r")
        elif fate < 0.3:
            early = rng.random() < 0.5
            self._event(
                reg,
                j.WorkerReturned(
                    returned_on=day, early=early, early_cause=rng.choice(CAUSES) if early else None
                ),
                day,
                "r",
            )
        return reg

    def _loan(self, reg: Journey, day: dt.date, market: str) -> None:
        rng = self.rng
        request = uuid.UUID(int=rng.getrandbits(128), version=4)
        amount = rng.randrange(50, 200) * 1_000_000
        self._event(
            reg,
            j.LoanRequested(
                loan_request_id=request,
                commune_code=self._current_code(reg),
                programme="labour_export",
                market_code=market,
                requested_on=day,
                requested_vnd=amount,
                contract_costs_vnd=amount,
                purpose_code="pre_departure",
                requested_term_months=24,
                contract_term_months=36,
            ),
            day,
            "r",
        )
        loan = uuid.UUID(int=rng.getrandbits(128), version=4)
        self._event(
            reg,
            ln.LoanApplicationReceived(
                loan_application_id=loan,
                commune_code=self._current_code(reg),
                branch_code="VBSP-86",
                regime_code="ND338",
                requested_vnd=amount,
                eligible=True,
                loan_request_id=request,
            ),
            day,
            "l",
        )
        if rng.random() < 0.15:
            self._event(reg, ln.LoanRejected(loan_application_id=loan), day, "l")
            return
        self._event(
            reg,
            ln.LoanApproved(
                loan_application_id=loan,
                amount_vnd=amount,
                term_months=24,
                monthly_rate="0.0055",
                regime_code="ND338",
            ),
            day,
            "l",
        )
        paid_on = day + dt.timedelta(days=rng.randrange(1, 30))
        self._event(
            reg,
            ln.LoanDisbursed(
                loan_application_id=loan,
                amount_vnd=amount,
                disbursed_on=paid_on,
                installments=24,
                first_due_on=paid_on + dt.timedelta(days=30),
            ),
            paid_on,
            "l",
        )
        reg.disbursed_on, reg.disbursed_vnd = paid_on, amount
        principal = amount // 24
        outstanding = amount
        for k in range(1, rng.randrange(0, 6) + 1):
            due = paid_on + dt.timedelta(days=30 * k)
            if rng.random() < 0.2:
                self._event(
                    reg,
                    ln.InstallmentOverdue(
                        loan_application_id=loan,
                        installment_no=k,
                        due_on=due,
                        detected_on=due + dt.timedelta(days=1),
                        principal_due_vnd=principal,
                        interest_due_vnd=principal // 10,
                    ),
                    due,
                    "l",
                )
                break
            outstanding -= principal
            self._event(
                reg,
                ln.RepaymentRecorded(
                    loan_application_id=loan,
                    amount_vnd=principal + principal // 10,
                    paid_on=due,
                    overdue_interest_vnd=0,
                    interest_vnd=principal // 10,
                    principal_vnd=principal,
                    early_principal_vnd=0,
                    outstanding_principal_vnd=outstanding,
                ),
                due,
                "l",
            )

    def _current_code(self, reg: Journey) -> str:
        return reg.commune_as_registered
