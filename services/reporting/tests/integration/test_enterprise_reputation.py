"""Enterprise reputation on a known scenario: the report recounted from the published events,
the flags the thresholds raise, and the `by=enterprise` registration facts beside it."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from xkld_shared.contracts import journey as j
from xkld_shared.contracts.enterprise import EnterpriseComplaintRecorded
from xkld_shared.contracts.envelope import Envelope, EventPayload, new_envelope
from xkld_shared.contracts.registration import RegistrationSubmitted
from xkld_shared.contracts.topics import Stream
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.processes import ServiceProcess, serving
from xkld_testkit.reporting_testing import publish_all, wait_projected

D = dt.date
M = 1_000_000
# Test rules: a JP cap in VND (made up for the test; the shipped file knows none), no KR cap.
RULES = {
    "thresholds": {
        "early_return_rate_percent": "30",
        "min_departed_for_rate": 4,
        "absconded": 2,
        "complaints": 3,
        "fees_over_cap": 1,
    },
    "fee_caps": [{"market_code": "JP", "programme": "*", "cap_vnd": 100 * M, "basis": "test"}],
}


class Scenario:
    def __init__(self) -> None:
        self.events: list[Envelope] = []

    def add(self, who: uuid.UUID, event: EventPayload, day: D) -> None:
        at = dt.datetime.combine(day, dt.time(3), tzinfo=dt.UTC)
        self.events.append(new_envelope(event, registration_id=who, producer="t", occurred_at=at))

    def worker(
        self, commune: str, enterprise: str, market: str, fee: int | None, end: str | None
    ) -> None:
        """A worker who signs, departs, and then returns ('completed' or an early cause),
        absconds ('absconded'), or is still abroad (None)."""
        who, day = uuid.uuid4(), D(2026, 2, 1)
        self.add(
            who,
            RegistrationSubmitted(
                commune_code=commune,
                gender="male",
                birth_year=1998,
                submitted_on=day,
                phone_ciphertext="v1.k1.x",
                sms_consent=True,
            ),
            day,
        )
        signed = j.ContractSigned(
            enterprise_code=enterprise,
            market_code=market,
            programme="labour_export",
            term_months=36,
            signed_on=D(2026, 3, 1),
            fee_vnd=fee,
        )
        self.add(who, signed, D(2026, 3, 1))
        gone = j.WorkerDeparted(
            departed_on=D(2026, 4, 1), market_code=market, enterprise_code=enterprise
        )
        self.add(who, gone, D(2026, 4, 1))
        if end == "absconded":
            self.add(who, j.WorkerAbsconded(reported_on=D(2026, 6, 1)), D(2026, 6, 1))
        elif end == "completed":
            self.add(who, j.WorkerReturned(returned_on=D(2026, 7, 1), early=False), D(2026, 7, 1))
        elif end is not None:
            back = j.WorkerReturned(returned_on=D(2026, 7, 1), early=True, early_cause=end)
            self.add(who, back, D(2026, 7, 1))

    def complaint(self, enterprise: str, category: str) -> None:
        event = EnterpriseComplaintRecorded(
            enterprise_code=enterprise,
            category=category,
            complained_on=D(2026, 8, 1),
        )
        self.add(uuid.uuid4(), event, D(2026, 8, 1))


def _scenario() -> Scenario:
    s = Scenario()
    # ENT-A: 5 sent, 1 completed, 2 early (40 % ≥ 30 %), 1 absconded (< 2), 3 complaints (≥ 3),
    # one JP fee over the cap, one KR fee whose cap is unknown.
    s.worker("29800", "ENT-A", "JP", 120 * M, "completed")
    s.worker("29800", "ENT-A", "JP", None, "dispute")
    s.worker("29641", "ENT-A", "KR", 90 * M, "terminated_for_abuse")
    s.worker("29641", "ENT-A", "JP", None, "absconded")
    s.worker("29800", "ENT-A", "JP", None, None)
    for category in ("wage_arrears", "wage_arrears", "abuse"):
        s.complaint("ENT-A", category)
    # ENT-B: 2 sent, 1 completed, a JP fee within the cap, 2 complaints (< 3): no flag.
    s.worker("29800", "ENT-B", "JP", 80 * M, "completed")
    s.worker("29641", "ENT-B", "JP", None, None)
    s.complaint("ENT-B", "contract_breach")
    s.complaint("ENT-B", "other")
    return s


def _recount(events: list[Envelope], communes: set[str]) -> dict[str, Counter[str]]:
    """The same figures counted straight from the published events, as a second opinion."""
    commune: dict[uuid.UUID, str] = {}
    enterprise: dict[uuid.UUID, str] = {}
    out: dict[str, Counter[str]] = {}
    for env in events:
        p = env.payload
        if env.event_type == "RegistrationSubmitted":
            commune[env.registration_id] = p["commune_code"]
            continue
        if env.event_type == "EnterpriseComplaintRecorded":
            out.setdefault(p["enterprise_code"], Counter())["complaints"] += 1
            continue
        if commune[env.registration_id] not in communes:
            continue
        if env.event_type == "ContractSigned":
            enterprise[env.registration_id] = p["enterprise_code"]
        c = out.setdefault(enterprise[env.registration_id], Counter())
        if env.event_type == "WorkerDeparted":
            c["departed"] += 1
        elif env.event_type == "WorkerAbsconded":
            c["absconded"] += 1
        elif env.event_type == "WorkerReturned":
            c["returned_early" if p["early"] else "completed"] += 1
        elif env.event_type == "ContractSigned" and p["fee_vnd"] is not None:
            c["fees_recorded"] += 1
    return out


@pytest.fixture
async def reporting_with_rules(
    namespace: Namespace, tmp_path: Path
) -> AsyncIterator[ServiceProcess]:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(RULES), encoding="utf-8")
    env = namespace.env("reporting", XKLD_REPUTATION_RULES_FILE=str(rules))
    async with serving("xkld_reporting", env) as proc:
        yield proc


async def test_reputation_counts_and_flags_match_a_known_scenario_recounted_from_the_events(
    namespace: Namespace, reporting_with_rules: ServiceProcess
) -> None:
    scenario = _scenario()
    streams = {Stream.REGISTRATION: scenario.events, Stream.LOAN: [], Stream.NOTIFICATION: []}
    await publish_all(namespace.infra.kafka_bootstrap, namespace.topics, streams)
    await wait_projected(namespace.dsn("reporting"), {Stream.REGISTRATION: len(scenario.events)})
    headers = namespace.auth(Role.LABOUR_OFFICER, province="86")
    async with local_client(base_url=reporting_with_rules.url, headers=headers) as client:

        async def get(path: str, **params: str) -> Any:
            answer = await client.get(path, params=params)
            assert answer.status_code == 200, answer.text
            return answer.json()

        report = await get("/reports/enterprises", area="86")
        commune = await get("/reports/enterprises", area="29641")
        facts = await get(
            "/reports/registrations",
            area="86",
            milestone="departed",
            by="enterprise",
            granularity="year",
            date_from="2026-01-01",
            date_to="2026-12-31",
        )

    lines = {row["enterprise_code"]: row for row in report["enterprises"]}
    recount = _recount(scenario.events, {"29800", "29641"})
    for code, counted in recount.items():
        for key in ("departed", "completed", "returned_early", "absconded", "complaints"):
            assert lines[code][key] == counted[key], (code, key)
        assert lines[code]["fees_recorded"] == counted["fees_recorded"], code

    a, b = lines["ENT-A"], lines["ENT-B"]
    assert [e["enterprise_code"] for e in report["enterprises"]] == ["ENT-A", "ENT-B"]
    assert a["flags"] == ["early_return_rate", "complaints", "fees_over_cap"]
    assert a["early_return_rate_percent"] == "40.0"
    assert a["early_by_cause"]["dispute"] == a["early_by_cause"]["terminated_for_abuse"] == 1
    assert a["complaints_by_category"] == {
        "fees_over_cap": 0,
        "contract_breach": 0,
        "wage_arrears": 2,
        "abuse": 1,
        "other": 0,
    }
    assert (a["fees_over_cap"], a["fees_cap_unknown"], a["fees_total_vnd"]) == (1, 1, 210 * M)
    assert b["flags"] == []
    assert (b["fees_over_cap"], b["fees_cap_unknown"]) == (0, 0)
    assert report["licence_status"] == "not_in_events"

    # One commune: its own workers; complaints carry no area and stay programme-wide.
    in_commune = {row["enterprise_code"]: row for row in commune["enterprises"]}
    recount_commune = _recount(scenario.events, {"29641"})
    assert in_commune["ENT-A"]["departed"] == recount_commune["ENT-A"]["departed"] == 2
    assert in_commune["ENT-A"]["complaints"] == 3
    assert in_commune["ENT-A"]["flags"] == ["complaints"]

    departed = {row["key"]: row["count"] for row in facts["rows"]}
    assert (
        departed
        == {code: c["departed"] for code, c in recount.items()}
        == {
            "ENT-A": 5,
            "ENT-B": 2,
        }
    )

    # No personal data: codes, counts and amounts only.
    text = json.dumps(report)
    assert "v1.k1.x" not in text
    assert "registration_id" not in text
