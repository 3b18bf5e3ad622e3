"""The labour-demand survey in the demo: a round this year in each demo commune, with
households whose people want a trade, work abroad or a loan, so the survey's screens, roll-ups
and suggested course plan have something to show.

Safe to repeat: each round and each household is sent with a stable Idempotency-Key, so a
second run gets the first answers back and adds nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Sequence
from typing import Any, TypeVar

from xkld_shared.demo import data
from xkld_shared.demo.client import Desk, again_if_cut, expect

T = TypeVar("T")

HOUSEHOLDS = 12  # per commune
AGE_BANDS = ("18-24", "18-24", "25-29", "25-29", "30-34", "35-39", "40-44", "45-54")
WORK = ("farming", "farming", "fishing", "wage_work", "own_business", "unemployed", "student")
# Trades the rural courses teach (aquaculture, welding, sewing, electrics, farm machinery).
TRADES = ("NTTS", "NTTS", "HAN", "MAY", "DIEN", "SUACHUA_MAY_NN")
MARKETS = ("JP_TITP", "KR_EPS", "KR_EPS", "TW", "JP_SSW")
WHEN = ("within_6_months", "within_12_months", "later", "undecided")
GROUPS = ((), (), ("poor_household",), ("near_poor_household",), ("demobilised_soldier",),
          ("unemployed_graduate",), ("farmland_recovered",))  # fmt: skip


def _choice(options: Sequence[T], *parts: object) -> T:
    """The same pick on every run, so the second run sends the very same bodies."""
    digest = hashlib.sha256("/".join([data.SEED, "survey", *map(str, parts)]).encode()).digest()
    return options[int.from_bytes(digest[:8], "big") % len(options)]


def rounds(year: int) -> list[tuple[str, dict[str, Any]]]:
    """One round per demo commune, over the whole year."""
    return [
        (
            commune,
            {
                "commune_code": commune,
                "title": f"Khảo sát nhu cầu lao động năm {year}",
                "period_start": dt.date(year, 1, 1).isoformat(),
                "period_end": dt.date(year, 12, 31).isoformat(),
            },
        )
        for commune in (data.TAN_QUOI, data.NHON_PHU)
    ]


def households(commune: str) -> list[dict[str, Any]]:
    made = []
    for number in range(HOUSEHOLDS):
        size = _choice((1, 2, 2, 3), commune, number, "size")
        made.append(
            {
                "hamlet": _choice(data.HAMLETS[commune], commune, number, "hamlet"),
                "members": [_member(commune, number, m) for m in range(size)],
            }
        )
    return made


def _member(commune: str, household: int, number: int) -> dict[str, Any]:
    def pick(options: Sequence[T], what: str) -> T:
        return _choice(options, commune, household, number, what)

    gender = pick(("male", "female"), "gender")
    wants_training, wants_abroad = pick((True, False, False), "train"), pick((True, False), "go")
    name = " ".join(
        pick(part, kind)
        for kind, part in (
            ("family", data.FAMILY),
            ("middle", data.MIDDLE[gender]),
            ("given", data.GIVEN[gender]),
        )
    )
    return {
        "full_name": data.nfc(name),
        "age_band": pick(AGE_BANDS, "age"),
        "gender": gender,
        "education": pick(data.EDUCATION, "education"),
        "current_work": pick(WORK, "work"),
        "wants_training": wants_training,
        "trade_code": pick(TRADES, "trade") if wants_training else None,
        "wants_abroad": wants_abroad,
        "market_code": pick(MARKETS, "market") if wants_abroad else None,
        "abroad_when": pick(WHEN, "when") if wants_abroad else None,
        "needs_loan": wants_abroad and pick((True, True, False), "loan"),
        "priority_groups": list(pick(GROUPS, "groups")),
        "contact_consent": pick((True, True, True, False), "consent"),
    }


async def load_survey(desk: Desk, year: int) -> int:
    """Opens the rounds and records their households; how many were recorded by this run."""
    if desk.outreach is None:
        return 0
    send = functools.partial(desk.post, desk.outreach, user=data.COMMUNE_OFFICER)
    recorded = 0
    for commune, body in rounds(year):
        key = data.key("survey-round", commune, year)
        opened = functools.partial(send, "/survey-rounds", body=body, key=key)
        answer = await again_if_cut(opened, f"survey round of {commune}")
        round_id = expect(answer, f"survey round of {commune}", 201).json()["round_id"]
        for number, household in enumerate(households(commune)):
            key = data.key("survey-household", commune, year, number)
            path = f"/survey-rounds/{round_id}/households"
            added = functools.partial(send, path, body=household, key=key)
            answer = await again_if_cut(added, f"household {number} of {commune}")
            expect(answer, f"household {number} of {commune}", 201)
            recorded += answer.headers.get("Idempotent-Replayed") != "true"
    return recorded


async def snapshot(desk: Desk) -> dict[str, Any]:
    """The survey's totals over the province, as the labour officer reads them."""
    if desk.outreach is None:
        return {}
    rollups = await desk.get(desk.outreach, "/survey-rollups", data.LABOUR_OFFICER)
    return {"survey": rollups["totals"]}
