"""Rural vocational-training reports for a small known scenario (`xkld_testkit.rural_scenario`),
published on real Kafka and projected by the service's consumer; every expected figure is
recounted by hand below."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx
from xkld_reporting.rebuild import Rebuilder
from xkld_shared.contracts.topics import Stream
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.processes import ServiceProcess
from xkld_testkit.reporting_testing import publish, wait_caught_up, wait_projected
from xkld_testkit.rural_scenario import AQUA, MOTO, NHON_PHU, TAN_QUOI, M, scenario


async def _published(namespace: Namespace) -> tuple[dict[str, uuid.UUID], int]:
    plan, lines, redelivered = scenario()
    topic = namespace.topics.of(Stream.REGISTRATION)
    await publish(namespace.infra.kafka_bootstrap, topic, plan.events)
    await publish(namespace.infra.kafka_bootstrap, topic, plan.late)
    unique = len(plan.events) + len(plan.late) - redelivered
    await wait_projected(namespace.dsn("reporting"), {Stream.REGISTRATION: unique})
    await wait_caught_up(namespace.infra.kafka_bootstrap, namespace.topics)
    return lines, unique


async def _get(client: httpx.AsyncClient, path: str, **params: str | int) -> Any:
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
    async with local_client(base_url=reporting.url, headers=headers) as client:
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
    async with local_client(base_url=reporting.url) as client:

        async def status(path: str, headers: dict[str, str], **params: str | int) -> int:
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


RURAL_TABLES = {
    "trainee": "SELECT * FROM rp.trainee ORDER BY trainee_id",
    "trainee_course": "SELECT * FROM rp.trainee_course ORDER BY 1, 2",
    "plan_line": "SELECT * FROM rp.plan_line ORDER BY line_id",
}


async def _rural_tables(dsn: str) -> dict[str, list[tuple[object, ...]]]:
    conn = await asyncpg.connect(dsn)
    try:
        return {n: [tuple(r) for r in await conn.fetch(sql)] for n, sql in RURAL_TABLES.items()}
    finally:
        await conn.close()


async def _answers(url: str, namespace: Namespace) -> list[Any]:
    headers = namespace.auth(Role.REPORT_VIEWER)
    async with local_client(base_url=url, headers=headers) as client:
        answers = []
        for path, by in (("trainees", "group"), ("support", "plan_line"), ("employment", "trade")):
            body = await _get(client, path, area="86", year=2026, by=by)
            answers.append((body["rows"], body["total"]))
        return answers


async def test_a_rebuild_gives_the_same_rural_training_tables_and_reports(
    namespace: Namespace, reporting: ServiceProcess
) -> None:
    await _published(namespace)
    dsn = namespace.dsn("reporting")
    live_tables, live_answers = await _rural_tables(dsn), await _answers(reporting.url, namespace)
    assert all(live_tables.values())
    # Small batches: the enrolments naming line 3 and the line itself land in different ones.
    rebuilder = Rebuilder(dsn, namespace.infra.kafka_bootstrap, namespace.topics, batch_size=4)
    done = await rebuilder.run(fresh=True, report=lambda _: None)
    assert done.switched
    assert await _rural_tables(dsn) == live_tables
    assert await _answers(reporting.url, namespace) == live_answers
