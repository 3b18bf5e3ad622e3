"""An outreach service process per test, and the survey's request bodies."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from xkld_shared.identity.principal import Role
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.processes import ServiceProcess, serving

HOME, OTHER = "29800", "29623"  # Xã Tân Quới and Xã Nhơn Phú, both Vĩnh Long (86)


@pytest.fixture
def namespace_databases() -> tuple[str, ...]:
    """Outreach's database, and registration's for the conversion to a file."""
    return ("outreach", "registration")


@pytest.fixture
async def outreach(namespace: Namespace) -> AsyncIterator[ServiceProcess]:
    async with serving("xkld_outreach", namespace.env("outreach")) as proc:
        yield proc


def officer(namespace: Namespace, *communes: str) -> dict[str, str]:
    return namespace.auth(Role.COMMUNE_OFFICER, communes=communes or (HOME,), username="can-bo-xa")


def keyed(headers: dict[str, str], key: str | None = None) -> dict[str, str]:
    return headers | {"Idempotency-Key": key or f"k-{uuid.uuid4()}"}


def member(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "full_name": "Trần Văn Bình",
        "age_band": "18-24",
        "gender": "male",
        "education": "upper_secondary",
        "current_work": "farming",
        "wants_training": False,
        "wants_abroad": True,
        "market_code": "JP_TITP",
        "abroad_when": "within_6_months",
        "needs_loan": True,
        "priority_groups": ["demobilised_soldier"],
        "contact_consent": True,
    }
    body.update(overrides)
    return body


async def open_round(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], commune: str = HOME
) -> str:
    answer = await client.post(
        f"{url}/survey-rounds",
        json={
            "commune_code": commune,
            "title": "Khảo sát quý I/2026",
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
        },
        headers=keyed(headers),
    )
    assert answer.status_code == 201, answer.text
    round_id: str = answer.json()["round_id"]
    return round_id


async def add_household(
    client: httpx.AsyncClient,
    url: str,
    round_id: str,
    headers: dict[str, str],
    members: list[dict[str, Any]],
    hamlet: str = "Ấp Tân Phú",
) -> dict[str, Any]:
    answer = await client.post(
        f"{url}/survey-rounds/{round_id}/households",
        json={"hamlet": hamlet, "members": members},
        headers=keyed(headers),
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def labour_officer(namespace: Namespace, province: str = "86") -> dict[str, str]:
    return namespace.auth(Role.LABOUR_OFFICER, province=province, username="can-bo-lao-dong")


def campaign_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "goal": "Đưa chính sách vay vốn của tỉnh tới bộ đội xuất ngũ",
        "communes": [HOME],
        "priority_groups": ["demobilised_soldier"],
        "channels": ["sms_broadcast", "meeting", "loudspeaker"],
        "period_start": "2026-03-01",
        "period_end": "2026-05-31",
        "template_code": "loan_policy_nq37",
    }
    body.update(overrides)
    return body


async def active_campaign(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], **overrides: Any
) -> str:
    made = await client.post(
        f"{url}/campaigns", json=campaign_body(**overrides), headers=keyed(headers)
    )
    assert made.status_code == 201, made.text
    campaign_id: str = made.json()["campaign_id"]
    started = await client.post(
        f"{url}/campaigns/{campaign_id}/status", json={"status": "active"}, headers=headers
    )
    assert started.status_code == 200, started.text
    return campaign_id
