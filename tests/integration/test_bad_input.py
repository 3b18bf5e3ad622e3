"""Bad input at the edge of every service, against the real processes: each class of bad value
answers 422 with a Vietnamese and an English message in the project's error format, never 500.

Headers with NUL are refused too (see shared/tests/unit/test_input_guard.py); an HTTP client
will not send one over a socket, and the servers' own HTTP parsers refuse it first.
"""

from __future__ import annotations

import io
import os
import uuid
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace, Templates, TestInfra
from xkld_shared.testing.system import System, identity_process, registration_body

HOME = "29800"
SERVICES = ["registration", "loans", "notifications", "reporting", "outreach"]
# The module's first test also waits for five processes to start, on a machine that may be busy.
pytestmark = pytest.mark.timeout(900)


@dataclass
class Running:
    system: System
    namespace: Namespace

    def url(self, service: str) -> str:
        return self.system.url(service)

    def auth(self, service: str) -> dict[str, str]:
        """A token of a role that may call the service's business endpoints."""
        role = {
            "registration": Role.COMMUNE_OFFICER,
            "loans": Role.LOAN_OFFICER,
            "notifications": Role.LABOUR_OFFICER,
            "reporting": Role.LABOUR_OFFICER,
            "identity": Role.ADMIN,
            "outreach": Role.COMMUNE_OFFICER,
        }[service]
        scope = {"communes": (HOME,), "province": "86", "branch": "VBSP-86"}
        headers = self.namespace.auth(role, **scope)
        if service == "outreach":  # its creates require a key: without one the key is refused
            headers["Idempotency-Key"] = f"bad-input-{uuid.uuid4()}"
        return headers


@pytest.fixture(scope="module")
async def running(
    infra: TestInfra,
    templates: Templates,
    sms_gateway: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Running]:
    ns = await Namespace.create(infra, templates)
    system = System(ns, sms_gateway)
    try:
        for service in SERVICES:
            await system.process(service).start(timeout=180)  # generous: a busy machine
        system.processes["identity"] = identity_process(ns, tmp_path_factory.mktemp("identity"))
        await system.processes["identity"].start(timeout=180)
        yield Running(system, ns)
    finally:
        await system.stop_all()
        await ns.drop()


@dataclass(frozen=True)
class Call:
    service: str
    method: str
    path: str
    json: Any = None
    params: dict[str, Any] | None = None
    content: bytes | None = None
    content_type: str | None = None

    async def send(self, running: Running) -> httpx.Response:
        headers = running.auth(self.service)
        if self.content_type:
            headers["content-type"] = self.content_type
        async with local_client(base_url=running.url(self.service), timeout=60) as client:
            return await client.request(
                self.method,
                self.path,
                json=self.json,
                params=self.params,
                content=self.content,
                headers=headers,
            )


def _refused(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 422, answer.text
    error: dict[str, Any] = answer.json()["error"]
    assert error["message_vi"]
    assert error["message_en"]
    assert error["message_vi"] != error["message_en"]
    return error


def _escaped(text: str) -> bytes:
    """JSON whose escapes carry characters an encoder would refuse to write raw."""
    return ('{"username": "' + text + '", "password": "x"}').encode()


def _survey_round(**change: Any) -> dict[str, Any]:
    body = {
        "commune_code": HOME,
        "title": "Khảo sát 2026",
        "period_start": "2026-01-01",
        "period_end": "2026-03-31",
    }
    return body | change


UNSTORABLE_TEXT = [
    Call("registration", "POST", "/registrations", json=registration_body(full_name="An\x00")),
    Call("registration", "POST", "/registrations/search", json={"name": "Nguy\x00en"}),
    Call("registration", "GET", "/registrations", params={"hamlet": "Ấp\x00 1"}),
    Call("registration", "POST", "/enterprises/DN%00X/licence", json={}),
    Call("loans", "GET", "/regimes/ND61%002015", json=None),
    Call("loans", "GET", "/portfolio", params={"commune_code": "\x00"}),
    Call("notifications", "POST", "/sms/templates/preview", json={"text": "Chào \x00"}),
    Call("notifications", "POST", "/sms/manual-messages", json={"text": "\x00"}),
    Call("reporting", "GET", "/reports/registrations-by-commune", params={"commune_code": "\x00"}),
    Call("reporting", "POST", "/targets", json={"targets": [{"area_code": "86\x00"}]}),
    Call(
        "identity",
        "POST",
        "/auth/login",
        content=_escaped("lan\\u0000"),
        content_type="application/json",
    ),
    Call(
        "identity",
        "POST",
        "/auth/login",
        content=_escaped("\\ud800lan"),
        content_type="application/json",
    ),
    Call("identity", "POST", "/accounts", json={"username": "a\x00", "full_name": "x"}),
    Call("outreach", "POST", "/survey-rounds", json=_survey_round(title="Đợt\x00 1")),
    Call("outreach", "GET", f"/survey-rounds/{uuid.UUID(int=7)}%00"),
    Call("outreach", "GET", "/survey-rollups", params={"commune_code": "29800\x00"}),
    Call("outreach", "GET", f"/respondents/{uuid.UUID(int=7)}%00/intake"),
]


@pytest.mark.parametrize("call", UNSTORABLE_TEXT, ids=lambda c: f"{c.service} {c.method} {c.path}")
async def test_text_postgresql_cannot_store_is_refused_by_every_service(
    running: Running, call: Call
) -> None:
    error = _refused(await call.send(running))
    assert error["code"] == "invalid_input"
    assert any("NUL" in f["message_en"] for f in error["fields"]), error


OUT_OF_RANGE = [
    Call("registration", "GET", "/registrations", params={"page": 10**30}),
    Call("registration", "GET", "/registrations", params={"submitted_from": "9999-12-31"}),
    Call("registration", "GET", "/registrations", params={"submitted_to": "0"}),
    Call("loans", "GET", "/work-queues/disbursements-due", params={"until": "9999-12-31"}),
    Call("loans", "GET", "/portfolio", params={"as_of": "0001-01-01"}),
    Call(
        "loans",
        "GET",
        f"/loan-applications/{uuid.UUID(int=7)}/balance",
        params={"on": "9999-12-31"},
    ),
    Call("reporting", "GET", "/reports/progress", params={"year": 10**20}),
    Call("reporting", "GET", "/reports/registrations", params={"date_from": "9999-12-31"}),
    Call("reporting", "GET", "/reports/sms", params={"date_to": "0"}),
    Call("reporting", "GET", "/targets", params={"year": 2**63}),
    Call("identity", "GET", "/accounts", params={"offset": 10**20}),
    Call("outreach", "POST", "/survey-rounds", json=_survey_round(period_start="0001-01-01")),
    Call("outreach", "POST", "/survey-rounds", json=_survey_round(period_end="9999-12-31")),
    Call("outreach", "GET", "/survey-rollups", params={"year": 10**20}),
    Call("outreach", "GET", "/survey-rollups/course-plan", params={"plan_year": 2**63}),
    Call(
        "outreach",
        "GET",
        "/survey-rollups/course-plan",
        params={"plan_year": 2026, "course_size": 0},
    ),
]


@pytest.mark.parametrize("call", OUT_OF_RANGE, ids=lambda c: f"{c.service} {c.path} {c.params}")
async def test_out_of_range_numbers_and_dates_are_refused_by_every_service(
    running: Running, call: Call
) -> None:
    _refused(await call.send(running))


def _damaged_xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types>not a workbook")
        archive.writestr("xl/workbook.xml", b"\x00\xff garbage")
    return out.getvalue()


_GARBLED = {
    "random bytes": os.urandom(4096),
    "binary with NUL": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(512),
    "one endless field": b"area_code,year\n" + b"x" * 200_000,
    "zip header, no zip": b"PK\x03\x04" + os.urandom(2048),
    "damaged workbook": _damaged_xlsx(),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize("kind", list(_GARBLED))
@pytest.mark.parametrize(
    ("service", "path"),
    [
        ("registration", "/registrations/imports"),
        ("reporting", "/targets/import"),
        ("outreach", f"/survey-rounds/{uuid.UUID(int=7)}/imports"),
    ],
)
@pytest.mark.parametrize("content_type", ["text/csv", XLSX])
async def test_a_garbled_or_binary_upload_gets_a_422_about_the_file(
    running: Running, service: str, path: str, kind: str, content_type: str
) -> None:
    call = Call(service, "POST", path, content=_GARBLED[kind], content_type=content_type)
    answer = await call.send(running)
    if answer.status_code == 200:  # random bytes can read as a CSV without the columns
        pytest.fail(f"a garbled file was accepted: {answer.text[:300]}")
    error = _refused(answer)
    said = (error["message_en"] + " ".join(f["message_en"] for f in error["fields"])).lower()
    assert any(word in said for word in ("file", "csv", "excel", "column")), error


STRICT = [
    ("registration", "/registrations", {"consents": {"registration_processing": 1}}, "consents"),
    ("registration", "/registrations", {"consents": {"sms_notifications": "yes"}}, "consents"),
    ("registration", "/registrations", {"date_of_birth": 0}, "date_of_birth"),
    ("registration", "/registrations", {"date_of_birth": "15/04/2000"}, "date_of_birth"),
    ("loans", "/loan-applications", {"requested_vnd": 1.5}, "requested_vnd"),
    ("loans", "/loan-applications", {"requested_vnd": "90000000"}, "requested_vnd"),
    ("loans", "/loan-applications", {"application_date": 0}, "application_date"),
    ("reporting", "/targets", {"value": 12.5}, "value"),
    ("reporting", "/targets", {"year": "2026"}, "year"),
    ("outreach", "/survey-rounds", {"period_start": 0}, "period_start"),
    ("outreach", "/survey-rounds", {"period_end": "31/03/2026"}, "period_end"),
    ("outreach", "/survey-rounds", {"title": 5}, "title"),
]


def _strict_body(service: str, change: dict[str, Any]) -> dict[str, Any]:
    if service == "registration":
        body = registration_body(commune_code=HOME)
        for key, value in change.items():
            body[key] = {**body[key], **value} if isinstance(value, dict) else value  # type: ignore[dict-item]
        return body
    if service == "loans":
        return {
            "registration_id": str(uuid.uuid4()),
            "commune_code": HOME,
            "programme": "labour_export",
            "application_date": "2026-02-10",
            "priority_groups": ["poor_household"],
            "contract_costs_vnd": 100_000_000,
            "requested_vnd": 90_000_000,
            "requested_term_months": 24,
            "contract_term_months": 36,
        } | change
    if service == "outreach":
        return _survey_round(**change)
    target = {"area_code": HOME, "year": 2026, "indicator": "departed", "value": 10} | change
    return {"targets": [target]}


@pytest.mark.parametrize(("service", "path", "change", "field"), STRICT)
async def test_a_value_a_coercion_would_change_is_refused_naming_the_field(
    running: Running, service: str, path: str, change: dict[str, Any], field: str
) -> None:
    answer = await Call(service, "POST", path, json=_strict_body(service, change)).send(running)
    fields = [f["field"] for f in _refused(answer)["fields"]]
    assert any(field in f for f in fields), fields


async def test_the_same_requests_with_exact_types_are_accepted(running: Running) -> None:
    """So that the refusals above are about the one bad value, not the rest of the body."""
    accepted = [("registration", "/registrations"), ("reporting", "/targets")]
    for service, path in [*accepted, ("outreach", "/survey-rounds")]:
        answer = await Call(service, "POST", path, json=_strict_body(service, {})).send(running)
        assert answer.status_code in (200, 201), answer.text
    loan = await Call("loans", "POST", "/loan-applications", json=_strict_body("loans", {})).send(
        running
    )
    assert loan.status_code == 201, loan.text
