"""Schemathesis against every service's own OpenAPI document, on the real processes.

Every operation gets valid and invalid cases (schemathesis' positive and negative generation),
each sent with the token of one role, or of all roles at once, so that cases reach past the
role checks into validation and storage. No answer may be a server error.

CI runs `XKLD_FUZZ_EXAMPLES` cases per operation (default 25); a long run sets it to 1000 or
more. `XKLD_FUZZ_SEED` repeats a run; the seed in use is printed. The figures are in
docs/reliability.md.
"""

from __future__ import annotations

import asyncio
import functools
import os
import random
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.core.result import Err
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.system import System, identity_process

EXAMPLES = int(os.environ.get("XKLD_FUZZ_EXAMPLES", "25"))
SEED = int(os.environ.get("XKLD_FUZZ_SEED", str(random.randrange(2**32))))
SERVICES = ["registration", "loans", "notifications", "reporting", "identity", "outreach"]
COMMUNES = ("29800", "29641")
# Schemathesis itself leaves an operation's type parameters open.
Operation = APIOperation[Any, Any, Any, Any]


@dataclass
class Findings:
    cases: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: dict[str, str] = field(default_factory=dict)  # operation -> one reproduction
    unsendable: int = 0

    def summary(self, service: str, seconds: float) -> str:
        return (
            f"{service}: {len(self.cases)} operations, {sum(self.cases.values())} cases in "
            f"{seconds:.0f} s (seed {SEED}); statuses {dict(sorted(self.statuses.items()))}; "
            f"unsendable {self.unsendable}; server errors {len(self.server_errors)}"
        )


def _tokens(namespace: Namespace) -> list[str]:
    """One token per role, with a scope that role could have, and one holding every role
    (weighted so that half the cases pass every role check)."""
    scoped = functools.partial(namespace.token, communes=COMMUNES, province="86", branch="VBSP-86")
    each = [scoped(role, username=f"fuzz-{role.value}") for role in Role]
    every = scoped(*Role, username="fuzz-all")
    return each + [every] * len(each)


def _fuzz_operation(
    operation: Operation, base_url: str, tokens: list[str], findings: Findings
) -> None:
    session = requests.Session()
    label = f"{operation.method.upper()} {operation.path}"
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, token=st.sampled_from(tokens))
    def run(case: Case[Operation], token: str) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        try:
            response = case.call(base_url=base_url, session=session, headers=headers, timeout=30)
        except (requests.exceptions.InvalidHeader, ValueError, UnicodeEncodeError):
            findings.unsendable += 1  # e.g. a NUL in a header: no HTTP client would send it
            return
        findings.cases[label] += 1
        findings.statuses[response.status_code] += 1
        if response.status_code >= 500 and label not in findings.server_errors:
            findings.server_errors[label] = f"{case.as_curl_command()}\n-> {response.text[:300]}"

    run()


async def _fuzz(service: str, base_url: str, namespace: Namespace) -> Findings:
    async with local_client(base_url=base_url) as client:
        raw = (await client.get("/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(raw)
    findings = Findings()
    tokens = _tokens(namespace)
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()  # an operation the schema cannot describe fails the run
        operation = result.ok()
        await asyncio.to_thread(_fuzz_operation, operation, base_url, tokens, findings)
    return findings


@asynccontextmanager
async def _running(
    service: str, namespace: Namespace, sms_gateway: str, key_dir: Path
) -> AsyncIterator[str]:
    system = System(namespace, sms_gateway)
    if service == "identity":
        system.processes["identity"] = identity_process(namespace, key_dir)
    else:
        system.process(service)
    await system.processes[service].start(timeout=180)  # generous: a busy 2-core machine
    try:
        yield system.url(service)
    finally:
        await system.stop_all()


# A long run's registration (76 operations at 1,000 cases) took 21 minutes on a quiet machine.
@pytest.mark.timeout(max(1800, EXAMPLES * 5))
@pytest.mark.parametrize("service", SERVICES)
async def test_no_generated_request_gets_a_server_error(
    service: str, namespace: Namespace, sms_gateway: str, tmp_path: Path
) -> None:
    async with _running(service, namespace, sms_gateway, tmp_path) as base_url:
        started = time.monotonic()
        findings = await _fuzz(service, base_url, namespace)
        print(findings.summary(service, time.monotonic() - started))
        assert sum(findings.cases.values()) >= EXAMPLES  # the run really sent requests
        assert findings.server_errors == {}, "\n\n".join(
            f"{op}:\n{repro}" for op, repro in findings.server_errors.items()
        )
