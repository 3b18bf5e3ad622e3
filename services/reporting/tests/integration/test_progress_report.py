"""The progress report against a count made independently from what was published."""

from __future__ import annotations

import datetime as dt

import asyncpg
from xkld_reporting.adapters.projection_schema import rollup_backfill
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.processes import ServiceProcess
from xkld_testkit.reporting_simulation import Journey, Simulator
from xkld_testkit.reporting_testing import (
    expected_actuals,
    publish,
    publish_all,
    streams_of,
    wait_caught_up,
    wait_projected,
)

# Four Vĩnh Long communes; two absorbed older wards on 1 Jul 2025 (29791 Thành Lợi -> 29800).
COMMUNES = {"29800": "29791", "29788": "29794", "29641": "29629", "29771": "29770"}
CURRENT = {**{new: new for new in COMMUNES}, **{old: new for new, old in COMMUNES.items()}}
ROLLUP_KEY = "province_code, year, quarter, market, indicator, area_code"
INDICATORS = ("registered", "trained", "departed", "loans_disbursed", "loans_disbursed_vnd")


def _by_area(body: dict[str, object]) -> dict[str, dict[str, dict[str, object]]]:
    areas = body["areas"]
    assert isinstance(areas, list)
    return {a["area_code"]: {i["indicator"]: i for i in a["indicators"]} for a in areas}


async def test_progress_equals_a_count_recomputed_from_the_published_events(
    namespace: Namespace, reporting: ServiceProcess
) -> None:
    journeys = Simulator(2026, COMMUNES, dt.date(2024, 9, 1), 760).journeys(400)
    streams = streams_of(journeys)
    await publish_all(namespace.infra.kafka_bootstrap, namespace.topics, streams)
    await wait_projected(namespace.dsn("reporting"), {s: len(e) for s, e in streams.items()})

    headers = namespace.auth(Role.LABOUR_OFFICER, province="86")
    async with local_client() as client:
        for year in (2025, 2026):
            answer = await client.get(
                f"{reporting.url}/reports/progress",
                params={"area": "86", "year": year},
                headers=headers,
            )
            assert answer.status_code == 200, answer.text
            report = _by_area(answer.json())
            expected = expected_actuals(journeys, CURRENT, year)
            previous = expected_actuals(journeys, CURRENT, year - 1)
            for commune in COMMUNES:
                for indicator in INDICATORS:
                    line = report[commune][indicator]
                    assert line["actual"] == expected[(commune, indicator)], (
                        year,
                        commune,
                        indicator,
                    )
                    assert line["previous_year_actual"] == previous[(commune, indicator)]
            for indicator in INDICATORS:
                total = sum(expected[(c, indicator)] for c in COMMUNES)
                assert report["86"][indicator]["actual"] == total
            # Old wards are reported under the unit that absorbed them, never on their own.
            assert "29791" not in report
            assert "29794" not in report
    assert sum(
        expected_actuals(journeys, CURRENT, y)[("29800", "registered")] for y in (2024, 2025, 2026)
    ) == sum(1 for j in journeys if CURRENT[j.commune_as_registered] == "29800")
    await _quarters_equal_the_recount(reporting.url, headers, journeys)
    await _rollup_equals_the_monthly_counters_rolled_up_again(namespace.dsn("reporting"))


async def _quarters_equal_the_recount(
    url: str, headers: dict[str, str], journeys: list[Journey]
) -> None:
    """Quarters are read from the rollup too; each commune's and a commune report's own."""
    async with local_client() as client:
        for area, quarter in (("86", 1), ("86", 3), ("29800", 4)):
            answer = await client.get(
                f"{url}/reports/progress",
                params={"area": area, "year": 2025, "quarter": quarter},
                headers=headers,
            )
            assert answer.status_code == 200, answer.text
            report = _by_area(answer.json())
            expected = expected_actuals(journeys, CURRENT, 2025, quarter)
            previous = expected_actuals(journeys, CURRENT, 2024, quarter)
            communes = list(COMMUNES) if area == "86" else [area]
            for commune in communes:
                for indicator in INDICATORS:
                    assert report[commune][indicator]["actual"] == expected[(commune, indicator)]
                    assert (
                        report[commune][indicator]["previous_year_actual"]
                        == previous[(commune, indicator)]
                    )
            for indicator in INDICATORS:
                total = sum(expected[(c, indicator)] for c in communes)
                assert report[area][indicator]["actual"] == total, (area, quarter, indicator)


async def _rollup_equals_the_monthly_counters_rolled_up_again(dsn: str) -> None:
    """The rollup the projector kept, batch by batch, against the one the migration computes
    from the monthly counters in one query (two independent derivations)."""
    conn = await asyncpg.connect(dsn)
    try:
        kept = await conn.fetch(f"SELECT * FROM rp.rollup ORDER BY {ROLLUP_KEY}")
        assert {r["market"] for r in kept} > {"*"}
        assert {r["quarter"] for r in kept} == {0, 1, 2, 3, 4}
        tx = conn.transaction()
        await tx.start()
        try:
            await conn.execute("DELETE FROM rp.rollup")
            await conn.execute(rollup_backfill("rp"))
            recomputed = await conn.fetch(f"SELECT * FROM rp.rollup ORDER BY {ROLLUP_KEY}")
        finally:
            await tx.rollback()
        assert [tuple(r) for r in kept] == [tuple(r) for r in recomputed]
    finally:
        await conn.close()


async def _snapshot(dsn: str) -> dict[str, list[tuple[object, ...]]]:
    conn = await asyncpg.connect(dsn)
    try:
        tables = {
            "monthly": "SELECT * FROM rp.monthly ORDER BY 1, 2, 3, 4",
            "registration": "SELECT * FROM rp.registration ORDER BY registration_id",
            "training": "SELECT * FROM rp.training ORDER BY 1, 2",
            "loan": "SELECT * FROM rp.loan ORDER BY loan_application_id",
            "loan_overdue": "SELECT * FROM rp.loan_overdue ORDER BY 1, 2",
            "sms": "SELECT * FROM rp.sms ORDER BY 1, 2, 3",
            "rollup": f"SELECT * FROM rp.rollup ORDER BY {ROLLUP_KEY}",
        }
        return {name: [tuple(r) for r in await conn.fetch(sql)] for name, sql in tables.items()}
    finally:
        await conn.close()


async def test_duplicate_events_change_nothing(
    namespace: Namespace, reporting: ServiceProcess
) -> None:
    journeys = Simulator(7, COMMUNES, dt.date(2025, 1, 1), 500).journeys(120)
    streams = streams_of(journeys)
    await publish_all(namespace.infra.kafka_bootstrap, namespace.topics, streams)
    published = {s: len(e) for s, e in streams.items()}
    await wait_projected(namespace.dsn("reporting"), published)
    before = await _snapshot(namespace.dsn("reporting"))
    assert before["monthly"]
    assert before["loan"]
    assert before["sms"]
    assert before["rollup"]

    # Every event again, as a relay that crashed before marking its outbox would send them.
    for stream, envelopes in streams.items():
        await publish(namespace.infra.kafka_bootstrap, namespace.topics.of(stream), envelopes)
    await wait_caught_up(namespace.infra.kafka_bootstrap, namespace.topics)
    assert await _snapshot(namespace.dsn("reporting")) == before
