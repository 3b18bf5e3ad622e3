"""Rural vocational-training reports for a small known scenario, published on real Kafka and
projected by the service's consumer; every expected figure is recounted by hand below."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg
import httpx
from xkld_reporting.testing import publish, wait_caught_up, wait_projected
from xkld_shared.contracts import training as tr
from xkld_shared.contracts.envelope import Envelope, EventPayload, new_envelope
from xkld_shared.contracts.topics import Stream
from xkld_shared.identity.principal import Role
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.processes import ServiceProcess

D = dt.date
M = 1_000_000
TAN_QUOI, NHON_PHU = "29800", "29641"  # both in Vĩnh Long (86)
AQUA, MOTO = "NTTS", "SCXM"  # aquaculture, motorbike repair


class Plan:
    def __init__(self) -> None:
        self.events: list[Envelope] = []
        self.late: list[Envelope] = []  # published after the trainees' events

    def add(self, key: uuid.UUID, event: EventPayload, late: bool = False) -> Envelope:
        at = dt.datetime(2026, 1, 5, 3, tzinfo=dt.UTC)
        envelope = new_envelope(event, registration_id=key, producer="t", occurred_at=at)
        (self.late if late else self.events).append(envelope)
        return envelope

    def line(
        self, commune: str, trade: str, places: int, budget: int, year: int = 2026, **kw: Any
    ) -> uuid.UUID:
        line_id = kw.pop("line_id", None) or uuid.uuid4()
        self.add(
            line_id,
            tr.CoursePlanLineSet(
                line_id=line_id,
                plan_year=year,
                province_code="86",
                commune_code=commune,
                trade_code=trade,
                trade_title="Nghề",
                institution="Trung tâm GDNN",
                places=places,
                planned_starts_on=D(year, 3, 1),
                planned_ends_on=D(year, 5, 31),
                budget_vnd=budget,
                set_on=D(year, 1, 5),
            ),
            **kw,
        )
        return line_id


class Course:
    def __init__(
        self, code: str, trade: str | None, line: uuid.UUID | None, starts: D, ends: D
    ) -> None:
        self.id, self.code, self.trade, self.line = uuid.uuid4(), code, trade, line
        self.starts, self.ends = starts, ends

    def common(self, commune: str) -> dict[str, Any]:
        return {
            "course_id": self.id,
            "course_code": self.code,
            "trade_code": self.trade,
            "plan_line_id": self.line,
            "commune_code": commune,
            "province_code": "86",
        }


def _trainee(
    plan: Plan, commune: str, groups: tuple[str, ...], course: Course
) -> tuple[uuid.UUID, Any]:
    """A trainee taken in and enrolled; returns the id and a function adding their events."""
    who = uuid.uuid4()

    def add(event: EventPayload) -> Envelope:
        return plan.add(who, event)

    add(
        tr.TraineeRegistered(
            commune_code=commune,
            province_code="86",
            gender="female",
            birth_year=1990,
            registered_on=course.starts - dt.timedelta(days=20),
            support_groups=groups,
            phone_ciphertext="v1.k1.x",
            sms_consent=True,
        )
    )
    add(
        tr.TraineeEnrolled(
            **course.common(commune),
            course_title="x",
            venue="y",
            starts_on=course.starts,
            ends_on=course.ends,
            enrolled_on=course.starts - dt.timedelta(days=10),
        )
    )
    return who, add


def _completed(course: Course, commune: str, passed: bool, certificate: bool) -> EventPayload:
    return tr.TraineeCourseCompleted(
        **course.common(commune),
        completed_on=course.ends,
        passed=passed,
        certificate_issued=certificate,
    )


def _outcome(course: Course, commune: str, outcome: Any, day: D) -> EventPayload:
    return tr.TraineeEmploymentRecorded(
        **course.common(commune), outcome=outcome, recorded_on=day, completed_on=course.ends
    )


def _paid(
    who: uuid.UUID, course: Course, commune: str, day: D, cost: int, meals: int, travel: int
) -> EventPayload:
    return tr.TrainingSupportPaid(
        trainee_id=who,
        payment_id=uuid.uuid4(),
        course_id=course.id,
        course_code=course.code,
        commune_code=commune,
        province_code="86",
        policy_code="QD46-2015",
        paid_on=day,
        days_present=20,
        cost_vnd=cost,
        meals_vnd=meals,
        travel_vnd=travel,
        total_vnd=cost + meals + travel,
    )


def scenario() -> tuple[Plan, dict[str, uuid.UUID], int]:
    """Seven trainees, two communes, two trades; returns the plan lines and how many events
    were redelivered."""
    p = Plan()
    l1 = p.line(TAN_QUOI, AQUA, places=20, budget=40 * M)
    l2 = p.line(NHON_PHU, MOTO, places=15, budget=30 * M)
    withdrawn = p.line(NHON_PHU, AQUA, places=5, budget=9 * M)
    p.add(
        withdrawn,
        tr.CoursePlanLineWithdrawn(line_id=withdrawn, plan_year=2026, withdrawn_on=D(2026, 2, 1)),
    )
    p.line(TAN_QUOI, AQUA, places=99, budget=99 * M, year=2025)  # last year's plan
    l3 = uuid.uuid4()  # its line is projected after the enrolments that name it

    c1 = Course("AQ-01", AQUA, l1, D(2026, 3, 2), D(2026, 5, 29))
    c2 = Course("MB-01", MOTO, l2, D(2026, 4, 6), D(2026, 6, 26))
    c3 = Course("MB-02", None, l3, D(2026, 5, 4), D(2026, 7, 31))  # trade from its plan line
    c0 = Course("AQ-00", AQUA, None, D(2025, 11, 3), D(2026, 1, 10))  # last year's, unplanned

    t1, add1 = _trainee(p, TAN_QUOI, ("poor_household", "ethnic_minority"), c1)
    redelivered = add1(_completed(c1, TAN_QUOI, passed=True, certificate=True))
    p.events.append(redelivered)  # the same event, delivered again
    add1(_paid(t1, c1, TAN_QUOI, D(2026, 6, 10), 3 * M, 600_000, 0))
    add1(_outcome(c1, TAN_QUOI, "no_work_yet", D(2026, 7, 1)))
    add1(_outcome(c1, TAN_QUOI, "work_in_trade", D(2026, 8, 1)))  # the correction

    t2, add2 = _trainee(p, TAN_QUOI, (), c1)
    add2(_completed(c1, TAN_QUOI, passed=True, certificate=False))
    paid2 = add2(_paid(t2, c1, TAN_QUOI, D(2026, 6, 10), 2 * M, 450_000, 200_000))
    p.events.append(paid2)  # redelivered too
    add2(_outcome(c1, TAN_QUOI, "own_business", D(2026, 7, 15)))

    t3, add3 = _trainee(p, TAN_QUOI, ("disability", "woman"), c1)
    add3(_completed(c1, TAN_QUOI, passed=False, certificate=False))
    add3(_paid(t3, c1, TAN_QUOI, D(2027, 1, 5), 2 * M, 300_000, 0))  # next year's money
    add3(tr.TraineePersonalDataErased(erased_on=D(2026, 9, 1)))  # counts stay

    t4, add4 = _trainee(p, NHON_PHU, ("woman",), c2)
    add4(_completed(c2, NHON_PHU, passed=True, certificate=True))
    add4(_paid(t4, c2, NHON_PHU, D(2026, 7, 1), 3 * M, 0, 0))
    add4(_outcome(c2, NHON_PHU, "no_work_yet", D(2026, 8, 1)))

    _, add5 = _trainee(p, NHON_PHU, ("near_poor_household", "fisher"), c2)
    add5(_completed(c2, NHON_PHU, passed=True, certificate=True))
    add5(_outcome(c2, NHON_PHU, "went_abroad", D(2026, 9, 1)))

    _trainee(p, TAN_QUOI, ("woman",), c3)  # enrolled, not finished

    _, add7 = _trainee(p, TAN_QUOI, (), c0)
    add7(_completed(c0, TAN_QUOI, passed=True, certificate=True))
    add7(_outcome(c0, TAN_QUOI, "other_work", D(2026, 2, 1)))

    # Line 3 comes last, set twice: the second setting replaces the first.
    p.line(TAN_QUOI, MOTO, places=10, budget=25 * M, line_id=l3, late=True)
    p.line(TAN_QUOI, MOTO, places=12, budget=24 * M, line_id=l3, late=True)
    return p, {"l1": l1, "l2": l2, "l3": l3}, 2


async def _published(namespace: Namespace) -> tuple[dict[str, uuid.UUID], int]:
    plan, lines, redelivered = scenario()
    topic = namespace.topics.of(Stream.REGISTRATION)
    await publish(namespace.infra.kafka_bootstrap, topic, plan.events)
    await publish(namespace.infra.kafka_bootstrap, topic, plan.late)
    unique = len(plan.events) + len(plan.late) - redelivered
    await wait_projected(namespace.dsn("reporting"), {Stream.REGISTRATION: unique})
    await wait_caught_up(namespace.infra.kafka_bootstrap, namespace.topics)
    return lines, unique


async def _get(client: httpx.AsyncClient, path: str, **params: object) -> Any:
    answer = await client.get(f"/reports/rural-training/{path}", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _by_key(body: Any) -> dict[str, Any]:
    return {row["key"]: row for row in body["rows"]}


def _figures(row: dict[str, Any], *names: str) -> tuple[Any, ...]:
    return tuple(row[n] for n in names)


TRAINEE_FIGURES = (
    "planned_places",
    "enrolled",
    "trainees",
    "completed",
    "passed",
    "certificates",
    "enrolled_of_planned_bp",
)
SUPPORT_FIGURES = ("budget_vnd", "paid_vnd", "trainees_paid", "balance_vnd", "paid_of_budget_bp")
EMPLOYMENT_FIGURES = (
    "completed",
    "outcomes_recorded",
    "employed",
    "employment_rate_bp",
    "completed_without_outcome",
)


async def test_trainees_support_and_employment_match_a_scenario_counted_by_hand(
    namespace: Namespace, reporting: ServiceProcess
) -> None:
    lines, unique = await _published(namespace)
    conn = await asyncpg.connect(namespace.dsn("reporting"))
    try:
        # Two events were delivered twice; each was applied once.
        assert await conn.fetchval("SELECT events FROM rp.stream_state") == unique == 38
    finally:
        await conn.close()
    headers = namespace.auth(Role.LABOUR_OFFICER, province="86")
    async with httpx.AsyncClient(base_url=reporting.url, headers=headers) as client:
        by_trade = await _get(client, "trainees", area="86", year=2026, by="trade")
        by_commune = await _get(client, "trainees", area="86", year=2026, by="commune")
        by_group = await _get(client, "trainees", area="86", year=2026, by="group")
        support = await _get(client, "support", area="86", year=2026, by="trade")
        support_lines = await _get(client, "support", area="86", year=2026, by="plan_line")
        support_communes = await _get(client, "support", area="86", year=2026, by="commune")
        employment = await _get(client, "employment", area="86", year=2026, by="course")
        employment_trades = await _get(client, "employment", area="86", year=2026, by="trade")
        employment_communes = await _get(client, "employment", area="86", year=2026, by="commune")
        commune_only = await _get(client, "trainees", area=TAN_QUOI, year=2026, by="trade")

    # Courses starting in 2026: AQ-01 (trainees 1, 2, 3), MB-01 (4, 5), MB-02 (6, its trade
    # from line 3). AQ-00 started in 2025. Plan 2026: line 1 (20 AQ), 2 (15 MB), 3 (12 MB as
    # set the second time); the withdrawn line and the 2025 line do not count.
    rows = _by_key(by_trade)
    assert list(rows) == [AQUA, MOTO]
    assert _figures(rows[AQUA], *TRAINEE_FIGURES) == (20, 3, 3, 3, 2, 1, 1500)
    assert _figures(rows[MOTO], *TRAINEE_FIGURES) == (27, 3, 3, 2, 2, 2, 1111)  # 3/27
    assert _figures(by_trade["total"], *TRAINEE_FIGURES) == (47, 6, 6, 5, 4, 3, 1277)  # 6/47

    rows = _by_key(by_commune)
    assert _figures(rows[NHON_PHU], *TRAINEE_FIGURES) == (15, 2, 2, 2, 2, 2, 1333)
    assert _figures(rows[TAN_QUOI], *TRAINEE_FIGURES) == (32, 4, 4, 3, 2, 1, 1250)
    assert rows[TAN_QUOI]["name"]  # the commune's name, for the reader

    # Each trainee once, under their highest group: 1 ethnic minority (over poor household),
    # 2 none (rural worker), 3 disability (erased later: still counted), 4 and 6 woman,
    # 5 fisher (over near-poor). The plan is not split by group.
    rows = _by_key(by_group)
    assert {
        k: _figures(r, "enrolled", "completed", "passed", "certificates") for k, r in rows.items()
    } == {
        "disability": (1, 1, 0, 0),
        "ethnic_minority": (1, 1, 1, 1),
        "fisher": (1, 1, 1, 1),
        "rural_worker": (1, 1, 1, 0),
        "woman": (2, 1, 1, 1),
    }
    assert all(r["planned_places"] is None for r in rows.values())
    assert by_group["total"]["planned_places"] == 47

    # Paid in 2026: trainee 1 (3 000 000 + 600 000), 2 (2 000 000 + 450 000 + 200 000), 4
    # (3 000 000); trainee 3 was paid in 2027. Budget: line 1 40 M, lines 2 and 3 30 M + 24 M.
    rows = _by_key(support)
    assert _figures(rows[AQUA], *SUPPORT_FIGURES) == (40 * M, 6_250_000, 2, 33_750_000, 1563)
    assert _figures(rows[MOTO], *SUPPORT_FIGURES) == (54 * M, 3 * M, 1, 51 * M, 556)
    assert _figures(support["total"], *SUPPORT_FIGURES) == (94 * M, 9_250_000, 3, 84_750_000, 984)
    assert _figures(rows[AQUA], "paid_cost_vnd", "paid_meals_vnd", "paid_travel_vnd") == (
        5 * M,
        1_050_000,
        200_000,
    )
    rows = _by_key(support_lines)
    assert _figures(rows[str(lines["l1"])], "budget_vnd", "paid_vnd", "trade_code") == (
        40 * M,
        6_250_000,
        AQUA,
    )
    assert _figures(rows[str(lines["l2"])], "budget_vnd", "paid_vnd") == (30 * M, 3 * M)
    assert _figures(rows[str(lines["l3"])], "budget_vnd", "paid_vnd", "places") == (24 * M, 0, 12)
    assert len(rows) == 3
    rows = _by_key(support_communes)
    assert _figures(rows[TAN_QUOI], "budget_vnd", "paid_vnd") == (64 * M, 6_250_000)
    assert _figures(rows[NHON_PHU], "budget_vnd", "paid_vnd") == (30 * M, 3 * M)

    # Completed in 2026: AQ-01 (1 work in trade after the correction, 2 own business, 3 none),
    # MB-01 (4 no work yet, 5 abroad), AQ-00 (7 other work). Employed 4 of 5 recorded.
    rows = _by_key(employment)
    assert _figures(rows["AQ-01"], *EMPLOYMENT_FIGURES) == (3, 2, 2, 10_000, 1)
    assert _figures(rows["MB-01"], *EMPLOYMENT_FIGURES) == (2, 2, 1, 5_000, 0)
    assert _figures(rows["AQ-00"], *EMPLOYMENT_FIGURES) == (1, 1, 1, 10_000, 0)
    total = employment["total"]
    assert _figures(total, *EMPLOYMENT_FIGURES) == (6, 5, 4, 8_000, 1)
    outcomes = ("work_in_trade", "other_work", "own_business", "went_abroad", "no_work_yet")
    assert _figures(total, *outcomes) == (1, 1, 1, 1, 1)
    rows = _by_key(employment_trades)
    assert _figures(rows[AQUA], *EMPLOYMENT_FIGURES) == (4, 3, 3, 10_000, 1)
    assert _figures(rows[MOTO], *EMPLOYMENT_FIGURES) == (2, 2, 1, 5_000, 0)
    rows = _by_key(employment_communes)
    assert _figures(rows[TAN_QUOI], *EMPLOYMENT_FIGURES) == (4, 3, 3, 10_000, 1)
    assert _figures(rows[NHON_PHU], *EMPLOYMENT_FIGURES) == (2, 2, 1, 5_000, 0)

    # One commune: Tân Quới's lines (20 AQ, 12 MB) and trainees (1, 2, 3 AQ; 6 MB).
    rows = _by_key(commune_only)
    assert _figures(rows[AQUA], "planned_places", "enrolled") == (20, 3)
    assert _figures(rows[MOTO], "planned_places", "enrolled") == (12, 1)
    assert commune_only["area_code"] == TAN_QUOI
    assert commune_only["year"] == 2026


async def test_bad_parameters_get_422_and_areas_outside_the_scope_get_403(
    namespace: Namespace, reporting: ServiceProcess
) -> None:
    officer = namespace.auth(Role.COMMUNE_OFFICER, communes=(TAN_QUOI,))
    labour = namespace.auth(Role.LABOUR_OFFICER, province="86")
    async with httpx.AsyncClient(base_url=reporting.url) as client:

        async def status(path: str, headers: dict[str, str], **params: object) -> int:
            answer = await client.get(
                f"/reports/rural-training/{path}", params=params, headers=headers
            )
            assert answer.status_code < 500, answer.text
            return answer.status_code

        for path, by in (("trainees", "group"), ("support", "plan_line"), ("employment", "course")):
            assert await status(path, officer, by=by, year=2026) == 200  # their own commune
            assert await status(path, officer, area=NHON_PHU) == 403
            assert await status(path, officer, area="86") == 403
            assert await status(path, labour, area="01") == 403  # another province
            assert await status(path, namespace.auth(Role.LOAN_OFFICER, branch="VBSP-86")) == 403
            assert await status(path, labour, by="hamlet") == 422
            assert await status(path, labour, year="2026a") == 422
            assert await status(path, labour, year=1999) == 422
            assert await status(path, labour, area="2980") == 422
            assert await status(path, labour, area="29791") == 422  # a pre-2025 code
        assert await status("trainees", labour, by="course") == 422  # only employment has it
        assert await status("support", labour, by="group") == 422
        assert await status("employment", labour, by="plan_line") == 422
        answer = await client.get(
            "/reports/rural-training/trainees", params={"by": "x"}, headers=labour
        )
        assert answer.status_code == 422
        assert "by" in answer.text
