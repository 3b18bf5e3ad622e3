"""Roll-ups recounted from the source rows; the suggested course plan against places from the
training stream's plan lines; the suggested target."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter
from typing import Any

from xkld_shared.contracts.envelope import new_envelope
from xkld_shared.contracts.topics import Stream
from xkld_shared.contracts.training import CoursePlanLineSet, CoursePlanLineWithdrawn
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.kafka import eventually, produce_raw
from xkld_shared.testing.processes import ServiceProcess

from .conftest import HOME, OTHER, add_household, member, officer, open_round

TRADES = ["MAY_CN", "HAN", "DIEN_DD"]
MARKETS = ["KR_EPS", "JP_TITP", "TW"]
GROUPS = ["poor_household", "demobilised_soldier", "unemployed_graduate", "ethnic_minority"]
HAMLETS = ["Ấp 1", "Ấp 2", "Ấp 3"]


def random_member(rng: random.Random) -> dict[str, Any]:
    training, abroad = rng.random() < 0.5, rng.random() < 0.4
    return member(
        age_band=rng.choice(["15-17", "18-24", "25-29", "35-39"]),
        gender=rng.choice(["male", "female"]),
        wants_training=training,
        trade_code=rng.choice(TRADES) if training else None,
        wants_abroad=abroad,
        market_code=rng.choice(MARKETS) if abroad else None,
        abroad_when=rng.choice(["within_6_months", "later", "within_12_months"])
        if abroad
        else None,
        needs_loan=rng.random() < 0.3,
        priority_groups=rng.sample(GROUPS, rng.randint(0, 2)),
        contact_consent=rng.random() < 0.8,
    )


def plan_line(commune: str, trade: str, places: int) -> CoursePlanLineSet:
    return CoursePlanLineSet(
        line_id=uuid.uuid4(),
        plan_year=2026,
        province_code="86",
        commune_code=commune,
        trade_code=trade,
        trade_title=trade,
        institution="Trung tâm GDNN-GDTX Long Hồ",
        places=places,
        planned_starts_on=dt.date(2026, 5, 1),
        planned_ends_on=dt.date(2026, 7, 31),
        budget_vnd=50_000_000,
        set_on=dt.date(2026, 1, 10),
    )


async def test_rollups_equal_counts_recounted_from_the_rows_that_were_sent(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    rng = random.Random(16)
    headers = officer(namespace, HOME, OTHER)
    sent: list[tuple[str, str, dict[str, Any]]] = []  # (commune, hamlet, member)
    async with local_client() as client:
        rounds = {c: await open_round(client, outreach.url, headers, c) for c in (HOME, OTHER)}
        for n in range(24):
            commune, hamlet = (HOME, OTHER)[n % 2], rng.choice(HAMLETS)
            members = [random_member(rng) for _ in range(rng.randint(1, 4))]
            await add_household(client, outreach.url, rounds[commune], headers, members, hamlet)
            sent += [(commune, hamlet, m) for m in members]
        answer = await client.get(f"{outreach.url}/survey-rollups", headers=headers)
        province = await client.get(
            f"{outreach.url}/survey-rollups",
            headers=namespace.auth(Role.LABOUR_OFFICER, province="86"),
        )
        one = await client.get(
            f"{outreach.url}/survey-rollups", params={"commune_code": OTHER}, headers=headers
        )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert province.json() == body, "the province's officer sees the same two communes"

    def counted(dimension: str) -> dict[str, int]:
        return {row["key"]: row["members"] for row in body[f"by_{dimension}"]}

    assert body["totals"]["members"] == len(sent)
    assert body["totals"]["households"] == 24
    assert body["totals"]["wants_abroad"] == sum(m["wants_abroad"] for _, _, m in sent)
    assert body["totals"]["needs_loan"] == sum(m["needs_loan"] for _, _, m in sent)
    assert counted("commune") == Counter(c for c, _, _ in sent)
    assert counted("hamlet") == Counter(f"{c} / {h}" for c, h, _ in sent)
    assert counted("trade") == Counter(m["trade_code"] for _, _, m in sent if m["wants_training"])
    assert counted("market") == Counter(m["market_code"] for _, _, m in sent if m["wants_abroad"])
    assert counted("priority_group") == Counter(g for _, _, m in sent for g in m["priority_groups"])
    assert counted("gender") == Counter(m["gender"] for _, _, m in sent)
    assert one.json()["totals"]["members"] == sum(c == OTHER for c, _, _ in sent)


async def test_the_course_plan_sets_demand_per_trade_against_planned_places(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = officer(namespace)
    lines = [plan_line(HOME, "MAY_CN", 2), plan_line(HOME, "HAN", 30), plan_line(OTHER, "HAN", 9)]
    withdrawn = plan_line(HOME, "MAY_CN", 50)
    events = [
        *(
            new_envelope(line, registration_id=line.line_id, producer="registration")
            for line in lines
        ),
        new_envelope(withdrawn, registration_id=withdrawn.line_id, producer="registration"),
        new_envelope(
            CoursePlanLineWithdrawn(
                line_id=withdrawn.line_id, plan_year=2026, withdrawn_on=dt.date(2026, 2, 1)
            ),
            registration_id=withdrawn.line_id,
            producer="registration",
        ),
    ]
    await produce_raw(
        namespace.infra.kafka_bootstrap,
        namespace.topics.of(Stream.REGISTRATION),
        [(e.partition_key, e.to_bytes()) for e in events],
    )
    wants = [
        member(
            wants_abroad=False,
            market_code=None,
            abroad_when=None,
            wants_training=True,
            trade_code=trade,
        )
        for trade in ["MAY_CN"] * 5 + ["HAN"] * 3 + ["DIEN_DD"]
    ]
    async with local_client() as client:
        round_id = await open_round(client, outreach.url, headers)
        await add_household(client, outreach.url, round_id, headers, wants[:5])
        await add_household(client, outreach.url, round_id, headers, wants[5:])

        async def plan() -> dict[str, Any] | None:
            answer = await client.get(
                f"{outreach.url}/survey-rollups/course-plan",
                params={"plan_year": 2026, "course_size": 2},
                headers=headers,
            )
            lines = {line["trade_code"]: line for line in answer.json()["lines"]}
            return lines if lines.get("HAN", {}).get("places") == 30 else None

        lines_by_trade = await eventually(plan, timeout=60)
    assert lines_by_trade is not None, "the plan lines never arrived"
    assert lines_by_trade["MAY_CN"] == {
        "trade_code": "MAY_CN",
        "demand": 5,
        "places": 2,
        "places_to_add": 3,
        "courses_to_add": 2,
    }, "the withdrawn line's 50 places do not count"
    assert lines_by_trade["HAN"]["places_to_add"] == 0
    assert lines_by_trade["DIEN_DD"]["places"] == 0
    assert lines_by_trade["DIEN_DD"]["places_to_add"] == 1


async def test_the_target_counts_people_wanting_to_go_per_market(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = officer(namespace)
    members = [
        member(market_code="KR_EPS", abroad_when="within_6_months", needs_loan=True),
        member(market_code="KR_EPS", abroad_when="later", needs_loan=False),
        member(market_code="JP_TITP", abroad_when="within_12_months", needs_loan=True),
        member(wants_abroad=False, market_code=None, abroad_when=None),
    ]
    async with local_client() as client:
        round_id = await open_round(client, outreach.url, headers)
        await add_household(client, outreach.url, round_id, headers, members)
        answer = await client.get(
            f"{outreach.url}/survey-rollups/target", params={"year": 2026}, headers=headers
        )
        last_year = await client.get(
            f"{outreach.url}/survey-rollups/target", params={"year": 2025}, headers=headers
        )
        outside = await client.get(
            f"{outreach.url}/survey-rollups/target",
            params={"commune_code": OTHER},
            headers=headers,
        )
    by_market = {m["market_code"]: m for m in answer.json()["markets"]}
    assert by_market["KR_EPS"]["wanting"] == 2
    assert by_market["KR_EPS"]["within_12_months"] == 1
    assert by_market["JP_TITP"]["needs_loan"] == 1
    assert answer.json()["suggested_departed"] == 2
    assert last_year.json()["markets"] == []
    assert outside.status_code == 403
