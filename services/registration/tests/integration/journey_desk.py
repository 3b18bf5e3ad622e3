"""A test helper: one registration process, and the steps of a worker's journey as requests."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass

import asyncpg
import httpx
from xkld_shared.clock import vietnam_today
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace, Templates, TestInfra
from xkld_shared.testing.processes import serving_alone
from xkld_shared.testing.system import consents, officer_of, registration_body

HOME = "29800"


def today() -> dt.date:
    """Vietnam's day, asked each time: a run that crosses midnight there (17:00 UTC) must not
    compare the services' dates with one read when the module was imported."""
    return vietnam_today()


def days(n: int) -> str:
    return (today() + dt.timedelta(days=n)).isoformat()


@dataclass
class Desk:
    url: str
    ns: Namespace
    client: httpx.AsyncClient
    orientation: str = ""  # the orientation course the walks use
    enterprise_code: str = ""  # the licensed enterprise the walks sign with

    def headers(self, role: str) -> dict[str, str]:
        return {
            "commune": officer_of(self.ns, HOME),
            "labour": self.ns.auth(Role.LABOUR_OFFICER, province="86", username="so-lao-dong"),
            "training": self.ns.auth(Role.TRAINING_STAFF, communes=(HOME,), username="tt-gdnn"),
        }[role]

    async def register(self, *, bank: bool = True) -> str:
        body = registration_body(commune_code=HOME, consents=consents(share_with_bank=bank))
        answer = await self.client.post(
            f"{self.url}/registrations", json=body, headers=self.headers("commune")
        )
        assert answer.status_code == 201, answer.text
        return str(answer.json()["registration_id"])

    async def post(
        self, role: str, path: str, body: Mapping[str, object] | None = None
    ) -> httpx.Response:
        return await self.client.post(
            f"{self.url}{path}", json=body or {}, headers=self.headers(role)
        )

    async def step(self, rid: str, name: str) -> httpx.Response:
        role, path, body = STEPS[name](self)
        return await self.post(role, f"/registrations/{rid}{path}", body)

    async def walk(self, rid: str, *names: str) -> None:
        for name in names:
            answer = await self.step(rid, name)
            assert answer.status_code < 300, f"{name}: {answer.text}"

    async def journey(self, rid: str) -> dict[str, object]:
        answer = await self.client.get(
            f"{self.url}/registrations/{rid}/journey", headers=self.headers("labour")
        )
        assert answer.status_code == 200, answer.text
        state: dict[str, object] = answer.json()
        return state

    async def enterprise(self, **changes: object) -> str:
        code = f"DN-{uuid.uuid4().hex[:8]}"
        body: dict[str, object] = {
            "code": code,
            "name": "Công ty Cổ phần Nhân lực Quốc tế",
            "licence_number": f"{uuid.uuid4().hex[:4]}/LĐTBXH-GP",
            "licence_valid_from": days(-365),
            "licence_valid_to": days(365),
            "markets": ["JP", "KR"],
        } | changes
        answer = await self.post("labour", "/enterprises", body)
        assert answer.status_code == 201, answer.text
        return code

    async def course(self, kind: str = "orientation", capacity: int = 30) -> str:
        body = {
            "code": f"{kind[:3].upper()}-{uuid.uuid4().hex[:8]}",
            "course_type": kind,
            "title": "Giáo dục định hướng" if kind == "orientation" else "Tiếng Nhật N5",
            "provider": "Trung tâm GDNN-GDTX Long Hồ",
            "venue": "Vĩnh Long",
            "starts_on": days(-10),
            "ends_on": days(30),
            "capacity": capacity,
        }
        answer = await self.post("labour", "/courses", body)
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])

    async def counts(self) -> tuple[int, int]:
        """(outbox rows, audit rows): what an illegal step must leave untouched."""
        conn = await asyncpg.connect(self.ns.dsn("registration"))
        try:
            outbox = await conn.fetchval("SELECT count(*) FROM outbox")
            audit = await conn.fetchval("SELECT count(*) FROM audit.audit_log")
            return int(outbox), int(audit)
        finally:
            await conn.close()


Step = Callable[[Desk], tuple[str, str, dict[str, object] | None]]


def _contract(desk: Desk) -> tuple[str, str, dict[str, object]]:
    return (
        "labour",
        "/contract",
        {
            "enterprise_code": desk.enterprise_code,
            "contract_number": f"HD-{uuid.uuid4().hex[:6]}",
            "market_code": "JP",
            "programme": "TITP",
            "employer_name": "Kabushiki Kaisha Sato",
            "term_months": 36,
            "monthly_salary": 180_000,
            "salary_currency": "JPY",
            "signed_on": days(0),
        },
    )


STEPS: dict[str, Step] = {
    "eligible": lambda d: ("labour", "/eligibility", {}),
    "reject": lambda d: ("labour", "/rejection", {"reason_code": "not_voluntary"}),
    "withdraw": lambda d: (
        "commune",
        "/withdrawal",
        {"reason_code": "changed_mind", "reason": "Gia đình không đồng ý"},
    ),
    "enrol": lambda d: ("training", "/enrolments", {"course_id": d.orientation}),
    "certify": lambda d: (
        "training",
        "/training-results",
        {
            "course_id": d.orientation,
            "passed": True,
            "certificate_number": f"GDDH-{uuid.uuid4().hex[:8]}",
        },
    ),
    "no_loan": lambda d: ("commune", "/no-loan", {"note": "Gia đình tự lo chi phí"}),
    "loan": lambda d: (
        "commune",
        "/loan-request",
        {
            "requested_vnd": 90_000_000,
            "cost_breakdown_vnd": {"service_fee": 60_000_000, "airfare": 40_000_000},
            "purpose_code": "labour_export_costs",
            "purpose_note": "Vay để nộp phí dịch vụ và vé máy bay",
            "requested_term_months": 36,
            "market_code": "JP",
            "programme": "labour_export",
            "contract_term_months": 36,
        },
    ),
    "contract": _contract,
    "health": lambda d: (
        "commune",
        "/gates/health-certificate",
        {
            "certificate_number": "SK-0001",
            "issued_on": days(-3),
            "facility": "Bệnh viện Đa khoa tỉnh Vĩnh Long",
            "conclusion": "Đủ sức khoẻ; tiền sử viêm gan B đã điều trị",
        },
    ),
    "deposit": lambda d: (
        "commune",
        "/gates/deposit-or-guarantee",
        {"kind": "guarantee", "reference": "BL-77/2026"},
    ),
    "visa": lambda d: ("labour", "/gates/visa", {"visa_number": "JP123456", "issued_on": days(0)}),
    "schedule": lambda d: (
        "labour",
        "/departure-schedule",
        {"departure_on": days(7), "flight_number": "VN 300"},
    ),
    "depart": lambda d: ("labour", "/departure", {"departed_on": days(7)}),
    "check_in": lambda d: (
        "commune",
        "/check-ins",
        {
            "checked_in_on": days(40),
            "channel": "phone",
            "employment_status": "working",
            "wellbeing": "good",
            "remittance_vnd": 15_000_000,
            "incidents": None,
        },
    ),
    "abscond": lambda d: ("commune", "/absconding", {"note": "Doanh nghiệp báo mất liên lạc"}),
    "return_early": lambda d: (
        "commune",
        "/return",
        {"early_cause": "employer_bankruptcy_or_force_majeure", "note": "Công ty phá sản"},
    ),
    "return": lambda d: ("commune", "/return", {}),
    "refer": lambda d: (
        "commune",
        "/reintegration-referrals",
        {"referral_code": "employment_service_centre"},
    ),
}
READY = ("eligible", "enrol", "certify", "no_loan", "contract", "health", "deposit", "visa")


@contextlib.asynccontextmanager
async def open_desk(infra: TestInfra, templates: Templates) -> AsyncIterator[Desk]:
    """A registration process in a namespace of its own, for the tests of a module to share."""
    async with (
        serving_alone(infra, templates, "registration") as (url, ns),
        local_client(timeout=30) as client,
    ):
        yield Desk(url, ns, client)
