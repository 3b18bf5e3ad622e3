"""The load: workers driven over HTTP through the whole journey, as staff would, while
services die under them. Every call is retried until the service answers again; a 409 after
an attempt that may have landed (no answer, or a 5xx) is the step already done, which the
final check of every file's stage then confirms."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
from xkld_shared.identity.principal import Role
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.system import System, consents, officer_of

HOME = "29800"
BRANCH = "VBSP-86"  # applications from province 86 arrive at this branch
LOAN_VND = 90_000_000
GIVE_UP_SECONDS = 600.0


def today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


def days(n: int) -> str:
    return (today() + dt.timedelta(days=n)).isoformat()


def paid_out_on() -> dt.date:
    """A day about a month ago, so that the first instalment falls due within three days
    and its repayment reminder (planned three days before) is due now and reaches the
    gateway. Days after the 28th are avoided: a month earlier may not have them."""
    due = next(d for d in (today() + dt.timedelta(days=n) for n in range(4)) if d.day <= 28)
    year, month = (due.year, due.month - 1) if due.month > 1 else (due.year - 1, 12)
    return dt.date(year, month, due.day)


@dataclass
class Worker:
    phone: str
    cccd: str
    path: str  # rejected | no_loan | loan
    departs: bool
    returns: bool
    registration_id: str = ""
    application_id: str = ""
    reached: str = ""  # the stage the driver brought the file to

    def expected_templates(self) -> set[str]:
        if self.path == "rejected":
            return {"registration_received", "registration_rejected"}
        sent = {"registration_received", "registration_eligible", "course_enrolled"}
        sent |= {"training_completed"}
        if self.path == "loan":
            sent |= {"loan_approved", "repayment_due"}
        if self.departs:
            sent |= {"departure_scheduled"}
        if self.returns:
            sent |= {"welcome_home"}
        return sent


@dataclass
class Driver:
    system: System
    rng: random.Random
    client: httpx.AsyncClient
    orientation: str = ""
    enterprise_code: str = ""
    calls: Counter[str] = field(default_factory=Counter)
    retried: Counter[str] = field(default_factory=Counter)

    @property
    def ns(self) -> Namespace:
        return self.system.namespace

    def plan(self, n: int) -> list[Worker]:
        """Each worker's path, and a phone and a CCCD number no other worker has (the
        gateway is read per phone; a second file with one CCCD is refused as a duplicate)."""
        phones = self.rng.sample(range(10**7), n)
        serials = self.rng.sample(range(10**6), n)
        workers = []
        for phone, serial in zip(phones, serials, strict=True):
            roll = self.rng.random()
            path = "rejected" if roll < 0.1 else "loan" if roll < 0.55 else "no_loan"
            departs = path != "rejected" and self.rng.random() < 0.8
            returns = departs and self.rng.random() < 0.5
            # 2 = a man born in the 2000s, 00 = the year 2000: as date_of_birth says.
            cccd = f"086200{serial:06d}"
            workers.append(Worker(f"091{phone:07d}", cccd, path, departs, returns))
        return workers

    def headers(self, role: str) -> dict[str, str]:
        ns = self.ns
        return {
            "commune": officer_of(ns, HOME),
            "labour": ns.auth(Role.LABOUR_OFFICER, province="86", username="so-lao-dong"),
            "training": ns.auth(Role.TRAINING_STAFF, communes=(HOME,), username="tt-gdnn"),
            "officer": ns.auth(Role.LOAN_OFFICER, branch=BRANCH, username="can-bo-tin-dung"),
            "manager": ns.auth(Role.BANK_MANAGER, branch=BRANCH, username="giam-doc"),
        }[role]

    async def call(
        self,
        service: str,
        role: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        key: str | None = None,
        landed: Callable[[], Awaitable[bool]] | None = None,
    ) -> httpx.Response:
        """POST until answered. 409 after a lost attempt is "done already". With `landed`, a
        409 may also mean "not yet" (an event still on its way): it is "done" only when
        `landed` says so, and retried otherwise."""
        headers = self.headers(role) | ({"Idempotency-Key": key} if key else {})
        deadline = asyncio.get_running_loop().time() + GIVE_UP_SECONDS
        maybe_landed = False
        self.calls[service] += 1
        while True:
            try:
                answer = await self.client.post(
                    f"{self.system.url(service)}{path}", json=body or {}, headers=headers
                )
                if answer.status_code < 300:
                    return answer
                if answer.status_code == 409 and landed is not None:
                    if maybe_landed and await landed():
                        return answer
                elif answer.status_code == 409 and maybe_landed:
                    return answer
                elif answer.status_code < 500:
                    raise AssertionError(f"{service} {path}: {answer.status_code} {answer.text}")
                else:
                    maybe_landed = True
            except httpx.TransportError:
                maybe_landed = True
            self.retried[service] += 1
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{service} {path}: no answer in {GIVE_UP_SECONDS}s")
            await asyncio.sleep(0.5)

    async def setup(self) -> None:
        """Before any fault: a licensed enterprise and an orientation course."""
        enterprise = _enterprise()
        await self.call("registration", "labour", "/enterprises", enterprise)
        self.enterprise_code = str(enterprise["code"])
        course = await self.call("registration", "labour", "/courses", _course())
        self.orientation = str(course.json()["id"])

    async def run(self, worker: Worker) -> None:
        await self.register(worker)
        rid = f"/registrations/{worker.registration_id}"
        if worker.path == "rejected":
            await self.call(
                "registration", "labour", f"{rid}/rejection", {"reason_code": "not_voluntary"}
            )
            worker.reached = "rejected"
            return
        await self.call("registration", "labour", f"{rid}/eligibility")
        await self.call("registration", "training", f"{rid}/enrolments", self._enrolment())
        await self.call("registration", "training", f"{rid}/training-results", self._result())
        if worker.path == "loan":
            await self.loan(worker)
        else:
            body = {"note": "Gia đình tự lo chi phí"}
            await self.call("registration", "commune", f"{rid}/no-loan", body)
        for path, role, body in self._gates():
            await self.call("registration", role, f"{rid}{path}", body)
        worker.reached = "trained"
        if not worker.departs:
            return
        schedule = {"departure_on": days(7), "flight_number": "VN 300"}
        # Waits for the registration service to have consumed the loan's disbursement.
        scheduled = self._at_stage(worker.registration_id, "departure_scheduled")
        await self.call(
            "registration", "labour", f"{rid}/departure-schedule", schedule, landed=scheduled
        )
        await self.call("registration", "labour", f"{rid}/departure", {"departed_on": days(7)})
        await self.call("registration", "commune", f"{rid}/check-ins", _check_in())
        worker.reached = "abroad"
        if worker.returns:
            await self.call("registration", "commune", f"{rid}/return")
            worker.reached = "returned_completed"

    def _at_stage(self, registration_id: str, stage: str) -> Callable[[], Awaitable[bool]]:
        async def check() -> bool:
            try:
                answer = await self.client.get(
                    f"{self.system.url('registration')}/registrations/{registration_id}/journey",
                    headers=self.headers("labour"),
                )
            except httpx.TransportError:
                return False
            return answer.status_code == 200 and answer.json().get("stage") == stage

        return check

    async def register(self, worker: Worker) -> None:
        body = {
            "full_name": "Nguyễn Văn Thành",
            "cccd": worker.cccd,
            "date_of_birth": "2000-04-15",
            "gender": "male",
            "phone": worker.phone,
            "commune_code": HOME,
            "ethnicity_code": "01",
            "household_poverty": "poor",
            "consents": consents(share_with_bank=worker.path == "loan"),
            "consent_text_version": "2026-01",
        }
        key = f"intake-{uuid.UUID(int=self.rng.getrandbits(128))}"
        answer = await self.call("registration", "commune", "/registrations", body, key=key)
        worker.registration_id = str(answer.json()["registration_id"])

    async def loan(self, worker: Worker) -> None:
        rid = f"/registrations/{worker.registration_id}"
        await self.call("registration", "commune", f"{rid}/loan-request", _loan_request())
        worker.application_id = await self.application_of(worker.registration_id)
        app = f"/loan-applications/{worker.application_id}"
        await self.call("loans", "officer", f"{app}/review")
        proposal = {"decision": "approve", "amount_vnd": LOAN_VND, "term_months": 36}
        await self.call("loans", "officer", f"{app}/proposal", proposal)
        await self.call("loans", "manager", f"{app}/decision", {"agree": True})
        payout = {
            "amount_vnd": LOAN_VND,
            "disbursed_on": paid_out_on().isoformat(),
            "channel": "commune_transaction_point",
        }
        key = f"pay-{worker.application_id}"
        first = await self.call("loans", "officer", f"{app}/disbursement", payout, key=key)
        again = await self.call("loans", "officer", f"{app}/disbursement", payout, key=key)
        assert again.status_code == first.status_code == 201, (first.text, again.text)
        assert again.json() == first.json(), "a retried disbursement answered differently"

    async def application_of(self, registration_id: str) -> str:
        """The bank's application made from the worker's LoanRequested (found as a loan
        officer finds it in the queue; read here from the loans database)."""
        deadline = asyncio.get_running_loop().time() + GIVE_UP_SECONDS
        while asyncio.get_running_loop().time() < deadline:
            try:
                conn = await asyncpg.connect(self.ns.dsn("loans"), timeout=5)
                try:
                    found = await conn.fetchval(
                        "SELECT id FROM loan_application WHERE registration_id = $1::uuid",
                        registration_id,
                    )
                finally:
                    await conn.close()
                if found is not None:
                    return str(found)
            except (TimeoutError, OSError, asyncpg.PostgresError):
                pass  # the database is down or restarting under the faults: ask again
            await asyncio.sleep(0.5)
        raise AssertionError(f"no application for {registration_id}")

    def _enrolment(self) -> dict[str, Any]:
        return {"course_id": self.orientation}

    def _result(self) -> dict[str, Any]:
        number = f"GDDH-{uuid.UUID(int=self.rng.getrandbits(128)).hex[:8]}"
        return {"course_id": self.orientation, "passed": True, "certificate_number": number}

    def _gates(self) -> list[tuple[str, str, dict[str, Any]]]:
        contract = {
            "enterprise_code": self.enterprise_code,
            "contract_number": f"HD-{self.rng.getrandbits(32):08x}",
            "market_code": "JP",
            "programme": "TITP",
            "employer_name": "Kabushiki Kaisha Sato",
            "term_months": 36,
            "monthly_salary": 180_000,
            "salary_currency": "JPY",
            "signed_on": days(0),
        }
        health = {
            "certificate_number": "SK-0001",
            "issued_on": days(-3),
            "facility": "Bệnh viện Đa khoa tỉnh Vĩnh Long",
            "conclusion": "Đủ sức khoẻ",
        }
        return [
            ("/contract", "labour", contract),
            ("/gates/health-certificate", "commune", health),
            ("/gates/deposit-or-guarantee", "commune", {"kind": "guarantee", "reference": "BL"}),
            ("/gates/visa", "labour", {"visa_number": "JP123456", "issued_on": days(0)}),
        ]


def _enterprise() -> dict[str, Any]:
    return {
        "code": f"DN-{uuid.uuid4().hex[:8]}",
        "name": "Công ty Cổ phần Nhân lực Quốc tế",
        "licence_number": f"{uuid.uuid4().hex[:4]}/LĐTBXH-GP",
        "licence_valid_from": days(-365),
        "licence_valid_to": days(365),
        "markets": ["JP", "KR"],
    }


def _course() -> dict[str, Any]:
    return {
        "code": f"ORI-{uuid.uuid4().hex[:8]}",
        "course_type": "orientation",
        "title": "Giáo dục định hướng",
        "provider": "Trung tâm GDNN-GDTX Long Hồ",
        "venue": "Vĩnh Long",
        "starts_on": days(-10),
        "ends_on": days(30),
        "capacity": 5_000,
    }


def _loan_request() -> dict[str, Any]:
    return {
        "requested_vnd": LOAN_VND,
        "cost_breakdown_vnd": {"service_fee": 60_000_000, "airfare": 40_000_000},
        "purpose_code": "labour_export_costs",
        "purpose_note": "Vay để nộp phí dịch vụ và vé máy bay",
        "requested_term_months": 36,
        "market_code": "JP",
        "programme": "labour_export",
        "contract_term_months": 36,
    }


def _check_in() -> dict[str, Any]:
    return {
        "checked_in_on": days(40),
        "channel": "phone",
        "employment_status": "working",
        "wellbeing": "good",
        "remittance_vnd": 15_000_000,
        "incidents": None,
    }
