"""Rebuilding from offset 0 gives the live numbers, survives an interruption, and swaps in
while the live projection keeps running."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
from xkld_reporting.adapters.projection_schema import NEXT, base_ddl
from xkld_reporting.rebuild import Rebuilder
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.contracts.topics import Stream
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.processes import ServiceProcess
from xkld_testkit.reporting_simulation import Simulator
from xkld_testkit.reporting_testing import publish_all, streams_of, wait_caught_up, wait_projected

COMMUNES = {"29800": "29791", "29641": "29629"}
TABLES = {
    "monthly": "SELECT * FROM rp.monthly ORDER BY 1, 2, 3, 4",
    "registration": "SELECT * FROM rp.registration ORDER BY registration_id",
    "training": "SELECT * FROM rp.training ORDER BY 1, 2",
    "loan": "SELECT * FROM rp.loan ORDER BY loan_application_id",
    "loan_overdue": "SELECT * FROM rp.loan_overdue ORDER BY 1, 2",
    "sms": "SELECT * FROM rp.sms ORDER BY 1, 2, 3",
    "rollup": "SELECT * FROM rp.rollup ORDER BY 1, 2, 3, 4, 5, 6",
    "inbox": "SELECT count(*) FROM rp.inbox",
    "streams": "SELECT stream, last_event_at, events FROM rp.stream_state ORDER BY 1",
}


async def _tables(dsn: str) -> dict[str, list[tuple[Any, ...]]]:
    conn = await asyncpg.connect(dsn)
    try:
        return {name: [tuple(r) for r in await conn.fetch(sql)] for name, sql in TABLES.items()}
    finally:
        await conn.close()


async def _report(url: str, ns: Namespace) -> list[object]:
    async with local_client() as client:
        answer = await client.get(
            f"{url}/reports/progress",
            params={"area": "86", "year": 2025},
            headers=ns.auth(Role.REPORT_VIEWER),
        )
    assert answer.status_code == 200, answer.text
    areas: list[object] = answer.json()["areas"]
    return areas


async def test_an_interrupted_rebuild_resumes_and_swaps_in_the_live_numbers(
    namespace: Namespace, reporting: ServiceProcess
) -> None:
    journeys = Simulator(11, COMMUNES, dt.date(2024, 11, 1), 400).journeys(150)
    streams = streams_of(journeys)
    await publish_all(namespace.infra.kafka_bootstrap, namespace.topics, streams)
    published = {s: len(e) for s, e in streams.items()}
    await wait_projected(namespace.dsn("reporting"), published)
    live_tables = await _tables(namespace.dsn("reporting"))
    live_report = await _report(reporting.url, namespace)
    rebuilder = Rebuilder(
        namespace.dsn("reporting"), namespace.infra.kafka_bootstrap, namespace.topics, batch_size=50
    )
    lines: list[str] = []

    halfway = await rebuilder.run(stop_after=sum(published.values()) // 2, report=lines.append)
    assert not halfway.switched
    assert 0 < halfway.events < sum(published.values())
    # Until the switch, reports answer from the live tables, unchanged.
    assert await _report(reporting.url, namespace) == live_report

    done = await rebuilder.run(report=lines.append)
    assert done.switched
    assert halfway.events + done.events == sum(published.values())
    assert any("events/s" in line and "left" in line for line in lines)
    assert await _tables(namespace.dsn("reporting")) == live_tables
    assert await _report(reporting.url, namespace) == live_report

    # The live consumer carries on into the new tables: more events, counted once.
    more = streams_of(Simulator(12, COMMUNES, dt.date(2025, 2, 1), 100).journeys(30))
    await publish_all(namespace.infra.kafka_bootstrap, namespace.topics, more)
    await wait_projected(
        namespace.dsn("reporting"), {s: published[s] + len(e) for s, e in more.items()}
    )
    after = await _tables(namespace.dsn("reporting"))
    assert after["inbox"] == [(sum(published.values()) + sum(len(e) for e in more.values()),)]
    registered = sum(r[4] for r in after["monthly"] if r[0] == "registered")
    assert registered == 150 + 30
    yearly = [r for r in after["rollup"] if r[2] == 0 and r[3] == "*" and r[4] == "registered"]
    assert sum(r[6] for r in yearly if r[5] == r[0]) == 150 + 30  # the province lines


class _PublishingBeforeSwitch(Rebuilder):
    """Events that arrive after the replay read its end offsets and before the switch: the
    switch must catch them up, several batches in one transaction."""

    def __init__(self, ns: Namespace, streams: dict[Stream, list[Envelope]]) -> None:
        super().__init__(ns.dsn("reporting"), ns.infra.kafka_bootstrap, ns.topics, batch_size=40)
        self.ns, self.late = ns, streams

    async def _switch(self, *args: Any, **kwargs: Any) -> None:
        await publish_all(self.ns.infra.kafka_bootstrap, self.ns.topics, self.late)
        await super()._switch(*args, **kwargs)


async def test_events_arriving_during_the_rebuild_are_caught_up_at_the_switch(
    namespace: Namespace, reporting: ServiceProcess
) -> None:
    early = streams_of(Simulator(21, COMMUNES, dt.date(2025, 1, 1), 300).journeys(60))
    late = streams_of(Simulator(22, COMMUNES, dt.date(2025, 3, 1), 300).journeys(60))
    await publish_all(namespace.infra.kafka_bootstrap, namespace.topics, early)
    result = await _PublishingBeforeSwitch(namespace, late).run(report=lambda _: None)
    assert result.switched
    assert result.events == sum(len(e) for e in early.values()) + sum(len(e) for e in late.values())
    total = {s: len(early[s]) + len(late[s]) for s in early}
    await wait_projected(namespace.dsn("reporting"), total)
    await wait_caught_up(namespace.infra.kafka_bootstrap, namespace.topics)
    tables = await _tables(namespace.dsn("reporting"))
    assert tables["inbox"] == [(sum(total.values()),)]
    registered = sum(r[4] for r in tables["monthly"] if r[0] == "registered")
    assert registered == 120
    departed = sum(r[4] for r in tables["monthly"] if r[0] == "departed")
    journeys = Simulator(21, COMMUNES, dt.date(2025, 1, 1), 300).journeys(60)
    journeys += Simulator(22, COMMUNES, dt.date(2025, 3, 1), 300).journeys(60)
    assert departed == sum(1 for j in journeys if j.departed_on)


async def test_a_rebuild_left_from_an_older_layout_is_started_again_not_swapped_in(
    namespace: Namespace, reporting: ServiceProcess
) -> None:
    """An interrupted rebuild from before migration 0003 has no rollup: resumed and swapped
    in, it would break every live batch. It is discarded and the rebuild starts afresh."""
    streams = streams_of(Simulator(31, COMMUNES, dt.date(2025, 1, 1), 200).journeys(40))
    await publish_all(namespace.infra.kafka_bootstrap, namespace.topics, streams)
    await wait_projected(namespace.dsn("reporting"), {s: len(e) for s, e in streams.items()})
    live = await _tables(namespace.dsn("reporting"))
    conn = await asyncpg.connect(namespace.dsn("reporting"))
    try:
        await conn.execute(base_ddl(NEXT))  # version 1: what a pre-0003 rebuild left behind
    finally:
        await conn.close()
    rebuilder = Rebuilder(
        namespace.dsn("reporting"), namespace.infra.kafka_bootstrap, namespace.topics
    )
    result = await rebuilder.run(report=lambda _: None)
    assert result.switched
    assert result.events == sum(len(e) for e in streams.values())
    assert await _tables(namespace.dsn("reporting")) == live
