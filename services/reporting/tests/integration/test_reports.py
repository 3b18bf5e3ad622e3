"""Loans, training, follow-up, SMS and registration facts for a small known scenario."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from xkld_shared.contracts import journey as j
from xkld_shared.contracts import loan as ln
from xkld_shared.contracts import notification as nt
from xkld_shared.contracts.envelope import Envelope, EventPayload, new_envelope
from xkld_shared.contracts.registration import RegistrationSubmitted
from xkld_shared.contracts.topics import Stream
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.processes import ServiceProcess
from xkld_testkit.reporting_testing import publish_all, wait_projected

D = dt.date
M = 1_000_000


class Scenario:
    def __init__(self) -> None:
        self.streams: dict[Stream, list[Envelope]] = {s: [] for s in Stream}

    def add(self, stream: Stream, who: uuid.UUID, event: EventPayload, day: D) -> None:
        at = dt.datetime.combine(day, dt.time(3), tzinfo=dt.UTC)
        self.streams[stream].append(
            new_envelope(event, registration_id=who, producer="t", occurred_at=at)
        )

    def submitted(
        self,
        who: uuid.UUID,
        commune: str,
        gender: str,
        born: int,
        day: D,
        groups: tuple[Any, ...] = (),
        market: str | None = None,
    ) -> None:
        self.add(
            Stream.REGISTRATION,
            who,
            RegistrationSubmitted(
                commune_code=commune,
                gender=gender,
                birth_year=born,
                submitted_on=day,
                phone_ciphertext="v1.k1.x",
                sms_consent=True,
                hamlet="Ấp 1",
                priority_groups=groups,
                desired_market=market,
            ),
            day,
        )

    def course(self, who: uuid.UUID, kind: Any, day: D, passed: bool) -> None:
        course = uuid.uuid4()
        code = f"C-{kind[:3]}"
        self.add(
            Stream.REGISTRATION,
            who,
            j.TrainingEnrolled(
                course_id=course,
                course_code=code,
                course_type=kind,
                course_title="x",
                venue="y",
                starts_on=day,
                ends_on=day,
                enrolled_on=day,
            ),
            day,
        )
        self.add(
            Stream.REGISTRATION,
            who,
            j.TrainingCompleted(
                course_id=course,
                course_code=code,
                course_type=kind,
                completed_on=day,
                passed=passed,
                certificate_issued=passed,
            ),
            day,
        )

    def departed(self, who: uuid.UUID, market: str, day: D) -> None:
        self.add(
            Stream.REGISTRATION,
            who,
            j.ContractSigned(
                enterprise_code="ENT-A",
                market_code=market,
                programme="labour_export",
                term_months=36,
                signed_on=day,
            ),
            day,
        )
        self.add(
            Stream.REGISTRATION,
            who,
            j.WorkerDeparted(departed_on=day, market_code=market, enterprise_code="ENT-A"),
            day,
        )


def _sms(outcome: str, template: str, at: dt.datetime) -> EventPayload:
    common: dict[str, Any] = {
        "message_id": uuid.uuid4(),
        "template_code": template,
        "template_version": 1,
    }
    if outcome == "sent":
        return nt.NotificationSent(**common, sent_at=at, segments=1, encoding="gsm7")
    if outcome == "delivered":
        return nt.NotificationDelivered(**common, delivered_at=at)
    if outcome == "failed":
        return nt.NotificationFailed(**common, failed_at=at, reason_code="x")
    return nt.NotificationSuppressed(**common, suppressed_at=at, reason="no_consent")


def _scenario() -> Scenario:
    s = Scenario()
    a, b, c, d = (uuid.uuid4() for _ in range(4))
    s.submitted(
        a, "29800", "female", 2000, D(2026, 1, 10), ("poor_household", "ethnic_minority"), "JP"
    )
    s.course(a, "vocational", D(2026, 1, 20), passed=True)
    s.add(Stream.REGISTRATION, a, j.WorkerTrained(trained_on=D(2026, 1, 20)), D(2026, 1, 20))
    s.departed(a, "JP", D(2026, 3, 1))
    s.add(
        Stream.REGISTRATION,
        a,
        j.WorkerReturned(returned_on=D(2026, 6, 1), early=True, early_cause="accident_or_illness"),
        D(2026, 6, 1),
    )
    s.submitted(b, "29800", "male", 1980, D(2026, 1, 15))
    s.course(b, "language", D(2026, 2, 1), passed=False)
    s.submitted(c, "29641", "male", 1995, D(2026, 2, 1))
    s.departed(c, "KR", D(2026, 2, 20))
    s.add(Stream.REGISTRATION, c, j.WorkerAbsconded(reported_on=D(2026, 5, 1)), D(2026, 5, 1))
    s.submitted(d, "29641", "male", 1999, D(2026, 2, 2))
    s.departed(d, "KR", D(2026, 3, 3))

    loan_a, loan_c = uuid.uuid4(), uuid.uuid4()
    s.add(
        Stream.LOAN,
        a,
        ln.LoanApplicationReceived(
            loan_application_id=loan_a,
            commune_code="29800",
            branch_code="B",
            regime_code="R",
            requested_vnd=100 * M,
            eligible=True,
        ),
        D(2026, 1, 25),
    )
    s.add(
        Stream.LOAN,
        a,
        ln.LoanApproved(
            loan_application_id=loan_a,
            amount_vnd=100 * M,
            term_months=10,
            monthly_rate="0.0055",
            regime_code="R",
        ),
        D(2026, 1, 28),
    )
    s.add(
        Stream.LOAN,
        a,
        ln.LoanDisbursed(
            loan_application_id=loan_a,
            amount_vnd=100 * M,
            disbursed_on=D(2026, 2, 1),
            installments=10,
            first_due_on=D(2026, 3, 1),
        ),
        D(2026, 2, 1),
    )
    s.add(
        Stream.LOAN,
        a,
        ln.RepaymentRecorded(
            loan_application_id=loan_a,
            amount_vnd=10_550_000,
            paid_on=D(2026, 3, 1),
            overdue_interest_vnd=0,
            interest_vnd=550_000,
            principal_vnd=10 * M,
            early_principal_vnd=0,
            outstanding_principal_vnd=90 * M,
        ),
        D(2026, 3, 1),
    )
    s.add(
        Stream.LOAN,
        a,
        ln.InstallmentOverdue(
            loan_application_id=loan_a,
            installment_no=2,
            due_on=D(2026, 4, 1),
            detected_on=D(2026, 4, 2),
            principal_due_vnd=10 * M,
            interest_due_vnd=495_000,
        ),
        D(2026, 4, 2),
    )
    s.add(
        Stream.LOAN,
        c,
        ln.LoanApplicationReceived(
            loan_application_id=loan_c,
            commune_code="29641",
            branch_code="B",
            regime_code="R",
            requested_vnd=50 * M,
            eligible=True,
        ),
        D(2026, 2, 3),
    )
    s.add(Stream.LOAN, c, ln.LoanRejected(loan_application_id=loan_c), D(2026, 2, 4))

    at = dt.datetime(2026, 3, 1, 3, tzinfo=dt.UTC)
    for who, template, outcome in (
        (a, "T1", "sent"),
        (a, "T1", "delivered"),
        (b, "T1", "sent"),
        (c, "T2", "failed"),
        (d, "T1", "suppressed"),
    ):
        event = _sms(outcome, template, at)
        s.add(Stream.NOTIFICATION, who, event, at.date())
    return s


async def test_loans_training_follow_up_sms_and_facts_match_a_known_scenario(
    namespace: Namespace, reporting: ServiceProcess
) -> None:
    scenario = _scenario()
    await publish_all(namespace.infra.kafka_bootstrap, namespace.topics, scenario.streams)
    await wait_projected(
        namespace.dsn("reporting"), {s: len(e) for s, e in scenario.streams.items()}
    )
    headers = namespace.auth(Role.LABOUR_OFFICER, province="86")
    async with local_client(base_url=reporting.url, headers=headers) as client:

        async def get(path: str, **params: str | int) -> Any:
            answer = await client.get(path, params=params)
            assert answer.status_code == 200, answer.text
            return answer.json()

        loans = await get("/reports/loans", area="86", as_of="2026-05-15")
        training = await get("/reports/training", area="86", year=2026)
        follow_up = await get("/reports/follow-up", area="86")
        sms = await get("/reports/sms", date_from="2026-01-01", date_to="2026-12-31")

        async def facts(**params: str) -> dict[str, int]:
            body = await get(
                "/reports/registrations",
                area="86",
                granularity="year",
                date_from="2026-01-01",
                date_to="2026-12-31",
                **params,
            )
            return {row["key"]: row["count"] for row in body["rows"]}

        assert await facts(by="gender") == {"female": 1, "male": 3}
        assert await facts(by="priority_group") == {"poor_household": 1, "ethnic_minority": 1}
        assert await facts(by="age_band") == {"25-29": 2, "40+": 1, "30-34": 1}
        assert await facts(by="market", milestone="departed") == {"JP": 1, "KR": 2}
        assert await facts(by="course") == {"C-voc": 1, "C-lan": 1}
        assert await facts(by="commune") == {"29800": 2, "29641": 2}
        assert await facts(by="stage") == {
            "returned_early": 1,
            "in_training": 1,
            "absconded": 1,
            "departed": 1,
        }
        commune_only = await get(
            "/reports/registrations",
            area="29641",
            by="none",
            granularity="month",
            date_from="2026-01-01",
            date_to="2026-12-31",
        )
        assert [(r["period"], r["count"]) for r in commune_only["rows"]] == [("2026-02-01", 2)]

    by_commune = {c["commune_code"]: c for c in loans["communes"]}
    tan_quoi = by_commune["29800"]
    assert (tan_quoi["applied"], tan_quoi["applied_vnd"], tan_quoi["approved_vnd"]) == (
        1,
        100 * M,
        100 * M,
    )
    assert (tan_quoi["disbursed"], tan_quoi["disbursed_vnd"]) == (1, 100 * M)
    assert (tan_quoi["principal_repaid_vnd"], tan_quoi["outstanding_vnd"]) == (10 * M, 90 * M)
    assert tan_quoi["overdue"]["31-90"] == {"loans": 1, "outstanding_vnd": 90 * M}
    assert tan_quoi["overdue"]["1-30"] == {"loans": 0, "outstanding_vnd": 0}
    assert (by_commune["29641"]["applied"], by_commune["29641"]["rejected"]) == (1, 1)

    courses = {c["course_type"]: c for c in training["courses"]}
    assert courses["vocational"]["certificates"] == 1
    assert courses["vocational"]["employed_or_departed_percent"] == "100.0"
    assert courses["language"]["certificate_rate_percent"] == "0.0"
    assert courses["language"]["employed_or_departed_percent"] is None  # nobody passed

    assert follow_up["abroad_now"] == 1
    assert follow_up["returned_early"] == 1
    assert follow_up["returned_completed"] == 0
    assert follow_up["absconded"] == 1
    assert follow_up["returned_early_by_cause"] == {"accident_or_illness": 1}

    templates = {t["template_code"]: t for t in sms["templates"]}
    assert templates["T1"] == {
        "template_code": "T1",
        "sent": 2,
        "delivered": 1,
        "failed": 0,
        "suppressed": 1,
    }
    assert templates["T2"]["failed"] == 1
    assert {s["stream"] for s in sms["freshness"]["streams"]} == {
        "registration",
        "loan",
        "notification",
    }
    assert all(s["lag_seconds"] is not None for s in sms["freshness"]["streams"])
