"""Setting the scene through the services' own APIs, for steps a test does not take through
the browser (it takes those elsewhere): an orientation course, a licensed enterprise, and a
worker's training."""

from __future__ import annotations

import datetime as dt
import uuid

from xkld_shared.clock import vietnam_today
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client

from .stack import Stack


def day(offset: int) -> str:
    # Vietnam's day, asked each time: a run that crosses midnight there must not use a stale one.
    return (vietnam_today() + dt.timedelta(days=offset)).isoformat()


async def orientation_course(stack: Stack) -> tuple[str, str]:
    code = f"GDDH-{uuid.uuid4().hex[:6]}"
    labour = stack.ns.auth(Role.LABOUR_OFFICER, province="86", username="laodong")
    async with local_client(base_url=stack.service("registration"), timeout=30) as client:
        answer = await client.post(
            "/courses",
            headers=labour,
            json={
                "code": code,
                "course_type": "orientation",
                "title": "Giáo dục định hướng Nhật Bản",
                "provider": "Trung tâm GDNN-GDTX Long Hồ",
                "venue": "Long Hồ, Vĩnh Long",
                "starts_on": day(-20),
                "ends_on": day(10),
                "capacity": 30,
            },
        )
        assert answer.status_code == 201, answer.text
        return code, str(answer.json()["id"])


async def licensed_enterprise(stack: Stack) -> str:
    code = f"DN-{uuid.uuid4().hex[:6]}"
    labour = stack.ns.auth(Role.LABOUR_OFFICER, province="86", username="laodong")
    async with local_client(base_url=stack.service("registration"), timeout=30) as client:
        answer = await client.post(
            "/enterprises",
            headers=labour,
            json={
                "code": code,
                "name": "Công ty Cổ phần Nhân lực Mê Kông",
                "licence_number": f"{uuid.uuid4().hex[:4]}/LĐTBXH-GP",
                "licence_valid_from": day(-365),
                "licence_valid_to": day(365),
                "markets": ["JP_TITP", "KR_EPS", "JP"],
            },
        )
        assert answer.status_code == 201, answer.text
        return code


async def trained(stack: Stack, rid: str, course_id: str) -> None:
    staff = stack.ns.auth(Role.TRAINING_STAFF, province="86", username="daotao")
    async with local_client(base_url=stack.service("registration"), timeout=30) as client:
        for path, body in (
            ("enrolments", {"course_id": course_id}),
            (
                "training-results",
                {"course_id": course_id, "passed": True, "certificate_number": f"CC-{rid[:6]}"},
            ),
        ):
            answer = await client.post(f"/registrations/{rid}/{path}", headers=staff, json=body)
            assert answer.status_code == 200, answer.text
