"""The whole system as real processes for the portal's browser tests: the identity component
(signing with the namespace's key, so the services trust it), the four services, the portal,
and one account per role, created through identity's own API."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from xkld_shared.crypto import generate_key
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.processes import ServiceProcess
from xkld_shared.testing.system import System

PASSWORD = "mat-khau-thu-nghiem-2026"
HOME_COMMUNES = ("29800", "29623")
# username: (roles, communes, province, branch)
ACCOUNTS: dict[str, tuple[list[str], list[str], str | None, str | None]] = {
    "canbo": (["commune_officer"], list(HOME_COMMUNES), None, None),
    "canbo.khac": (["commune_officer"], ["29641"], None, None),
    "laodong": (["labour_officer"], [], "86", None),
    "daotao": (["training_staff"], [], "86", None),
    "tindung": (["loan_officer"], [], None, "VBSP-86"),
    "giamdoc": (["bank_manager"], [], None, "VBSP-86"),
    "baocao": (["report_viewer"], [], None, None),
    # A manager who also proposes (a small branch): maker-checker keeps them off their own.
    "giamdoc.kiem": (["loan_officer", "bank_manager"], [], None, "VBSP-86"),
    "quantri": (["admin"], [], None, None),
}
SERVICES = ("registration", "loans", "notifications", "reporting", "outreach")
STARTUP_SECONDS = 240.0  # generous: the suite runs on two busy cores


@dataclass
class Stack:
    system: System
    identity: ServiceProcess
    portal: ServiceProcess
    extra: list[ServiceProcess] = field(default_factory=list)

    @property
    def ns(self) -> Namespace:
        return self.system.namespace

    @property
    def url(self) -> str:
        return self.portal.url

    def service(self, name: str) -> str:
        return self.system.url(name)

    async def stop(self) -> None:
        for proc in (self.portal, self.identity):
            await proc.terminate()
        await self.system.stop_all()


def identity_process(ns: Namespace) -> ServiceProcess:
    key_file = Path(tempfile.mkdtemp(prefix="xkld-identity-")) / "signing.pem"
    key_file.write_bytes(ns.signing_key.to_pem())
    env = ns.env("identity") | {
        "XKLD_AUTH_SIGNING_KEY_FILE": str(key_file),
        "XKLD_AUTH_SIGNING_KID": ns.signing_key.kid,
    }
    return ServiceProcess("xkld_shared.identity.server", env)


def portal_env(stack_urls: dict[str, str], ns: Namespace, **extra: str) -> dict[str, str]:
    env = {
        "XKLD_IDENTITY_URL": stack_urls["identity"],
        **{f"XKLD_{s.upper()}_URL": stack_urls[s] for s in SERVICES},
        "XKLD_PORTAL_SESSION_KEY": generate_key(),
        "XKLD_PORTAL_COOKIE_SECURE": "false",
        "XKLD_AUTH_JWKS": ns.env("registration")["XKLD_AUTH_JWKS"],
    }
    return env | extra


async def create_accounts(identity_url: str, ns: Namespace) -> None:
    admin = ns.auth(Role.ADMIN, username="quan-tri")
    async with local_client(base_url=identity_url, timeout=30) as client:
        for username, (roles, communes, province, branch) in ACCOUNTS.items():
            answer = await client.post(
                "/accounts",
                headers=admin,
                json={
                    "username": username,
                    "full_name": f"Tài khoản {username}",
                    "password": PASSWORD,
                    "roles": roles,
                    "communes": communes,
                    "province": province,
                    "branch": branch,
                },
            )
            assert answer.status_code == 201, answer.text


async def start_stack(ns: Namespace, sms_gateway: str, **portal_extra: str) -> Stack:
    system = System(ns, sms_gateway)
    identity = identity_process(ns)
    await identity.start(timeout=STARTUP_SECONDS)
    for name in SERVICES:
        await system.process(name).start(timeout=STARTUP_SECONDS)
    urls = {"identity": identity.url, **{s: system.url(s) for s in SERVICES}}
    portal = ServiceProcess("xkld_portal", portal_env(urls, ns, **portal_extra))
    await portal.start(timeout=STARTUP_SECONDS)
    await create_accounts(identity.url, ns)
    return Stack(system, identity, portal)
