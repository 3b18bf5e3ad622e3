"""The whole system as real processes, in one test namespace."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.processes import ServiceProcess, free_port

MODULES = {
    "registration": "xkld_registration",
    "loans": "xkld_loans",
    "notifications": "xkld_notifications",
    "reporting": "xkld_reporting",
    "outreach": "xkld_outreach",
}


@dataclass
class System:
    namespace: Namespace
    sms_gateway: str
    processes: dict[str, ServiceProcess] = field(default_factory=dict)

    def process(self, service: str, **extra_env: str) -> ServiceProcess:
        port = free_port()
        env = self.namespace.env(service, **extra_env)
        if service == "notifications":
            env["XKLD_SMS_BASE_URL"] = self.sms_gateway
            env["XKLD_SMS_CALLBACK_URL"] = f"http://127.0.0.1:{port}/sms/delivery-reports"
        proc = ServiceProcess(MODULES[service], env, port=port)
        self.processes[service] = proc
        return proc

    async def start(self, services: Iterable[str], **extra_env: str) -> None:
        for service in services:
            await self.process(service, **extra_env).start()

    def url(self, service: str) -> str:
        return self.processes[service].url

    async def stop_all(self) -> dict[str, int]:
        """SIGTERM every process: a clean drain exits 0."""
        return {name: await proc.terminate() for name, proc in self.processes.items()}


def identity_process(namespace: Namespace, key_dir: Path) -> ServiceProcess:
    """The identity component as a process, signing with the namespace's own key, so that the
    namespace's tokens (any role) are its tokens too."""
    key_file = key_dir / "signing.pem"
    key_file.write_bytes(namespace.signing_key.to_pem())
    env = namespace.env("identity") | {
        "XKLD_AUTH_SIGNING_KEY_FILE": str(key_file),
        "XKLD_AUTH_SIGNING_KID": namespace.signing_key.kid,
    }
    return ServiceProcess("xkld_shared.identity.server", env)


def officer_of(namespace: Namespace, *communes: str) -> dict[str, str]:
    """Headers of a commune officer responsible for these communes."""
    return namespace.auth(Role.COMMUNE_OFFICER, communes=communes, username="can-bo-xa")


def report_viewer(namespace: Namespace) -> dict[str, str]:
    return namespace.auth(Role.REPORT_VIEWER, username="bao-cao")


_MOBILES_GIVEN: set[str] = set()


def random_mobile() -> str:
    """A mobile number not given before in this process. A worker process serves one fake SMS
    gateway to all its tests, and a test that counts one phone's SMS there would, now and then,
    also count an earlier test's message to the same random number."""
    while True:
        mobile = "091" + "".join(random.choices("0123456789", k=7))  # noqa: S311 - test data
        if mobile not in _MOBILES_GIVEN:
            _MOBILES_GIVEN.add(mobile)
            return mobile


def random_cccd(birth_year: int, gender: str) -> str:
    digit = {("male", 19): "0", ("female", 19): "1", ("male", 20): "2", ("female", 20): "3"}
    century_digit = digit[(gender, birth_year // 100)]
    serial = "".join(random.choices("0123456789", k=6))  # noqa: S311 - test data
    return f"086{century_digit}{birth_year % 100:02d}{serial}"


def registration_body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "full_name": "Nguyễn Văn Thành",
        "cccd": random_cccd(2000, "male"),
        "date_of_birth": "2000-04-15",
        "gender": "male",
        "phone": random_mobile(),
        "commune_code": "29800",
        "ethnicity_code": "01",
        "household_poverty": "poor",
        "consents": consents(),
        "consent_text_version": "2026-01",
    }
    body.update(overrides)
    return body


def consents(**answers: bool) -> dict[str, bool]:
    base = {
        "registration_processing": True,
        "sms_notifications": True,
        "share_with_enterprise": True,
        "share_with_bank": False,
    }
    return base | answers


async def gateway_messages(gateway: str, phone: str) -> list[dict[str, object]]:
    async with local_client() as client:
        answer = await client.get(f"{gateway}/_admin/messages", params={"phone": phone})
        answer.raise_for_status()
        messages: list[dict[str, object]] = answer.json()["messages"]
        return messages


def correlation() -> dict[str, str]:
    return {"X-Correlation-Id": str(uuid.uuid4())}
