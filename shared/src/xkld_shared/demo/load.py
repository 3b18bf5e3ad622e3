"""Loading the demo: staff, reference data, targets, then every worker walked to their stage.

Safe to repeat: staff and reference data are looked up before they are created, registrations
carry stable Idempotency-Keys, each worker's file is read before any step and only the missing
steps are sent, and disbursements and repayments carry keys and are looked up first.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from xkld_shared.demo import bank, data
from xkld_shared.demo.client import DemoError, Desk, again_if_cut, expect
from xkld_shared.demo.data import Worker
from xkld_shared.demo.steps import Refs, remaining, request_for

CONCURRENCY = 6  # workers walked at once: enough to overlap requests, gentle on a small machine
BANK_TIMEOUT_SECONDS = 300.0
LABOUR, COMMUNE = data.LABOUR_OFFICER, data.COMMUNE_OFFICER
GATES = ("contract", "deposit_or_guarantee", "health_certificate", "visa")


@dataclass
class Tally:
    """What this run changed: all zeros on a second run."""

    staff_created: list[str] = field(default_factory=list)
    enterprises_created: int = 0
    courses_created: int = 0
    targets_changed: int = 0
    registrations_created: int = 0
    steps_sent: int = 0
    repayments_made: int = 0
    survey_households_recorded: int = 0


# --- staff ------------------------------------------------------------------------------------


async def create_staff(desk: Desk, admin: dict[str, str]) -> dict[str, str]:
    """Create each missing demo account; the passwords of those created now."""
    created = {}
    for staff in data.STAFF:
        password = secrets.token_urlsafe(12)
        answer = await desk.identity.post("/accounts", headers=admin, json=staff.account(password))
        if answer.status_code == 409:
            continue  # created by an earlier run; its password is in the accounts file
        expect(answer, f"account {staff.username}", 201, 200)
        created[staff.username] = password
    return created


# --- reference data and targets ---------------------------------------------------------------


async def reference_data(desk: Desk, today: dt.date, tally: Tally) -> Refs:
    reg = desk.registration
    known = {e["code"] for e in await desk.get(reg, "/enterprises", LABOUR)}
    for enterprise in data.ENTERPRISES:
        if enterprise.code not in known:
            key = data.key("enterprise", enterprise.code)
            answer = await desk.post(reg, "/enterprises", LABOUR, enterprise.body(today), key=key)
            expect(answer, f"enterprise {enterprise.code}", 201)
            tally.enterprises_created += 1
    courses = {c["code"]: str(c["id"]) for c in await desk.get(reg, "/courses", LABOUR)}
    for course in data.COURSES:
        if course.code not in courses:
            key = data.key("course", course.code)
            answer = await desk.post(reg, "/courses", LABOUR, course.body(today), key=key)
            courses[course.code] = str(expect(answer, f"course {course.code}", 201).json()["id"])
            tally.courses_created += 1
    return Refs(courses=courses, today=today)


async def set_targets(desk: Desk, year: int, tally: Tally) -> None:
    if desk.reporting is None:
        return
    body = {"targets": data.targets(year)}
    answer = await desk.post(desk.reporting, "/targets", LABOUR, body)
    # Setting a target to the value it has changes and audits nothing.
    tally.targets_changed += expect(answer, "targets", 200).json()["changed"]


# --- workers ----------------------------------------------------------------------------------


async def register(desk: Desk, worker: Worker, tally: Tally) -> str:
    """The worker's file id: created once (a stable key), or found by CCCD when an earlier
    demo registered the same person without a key."""
    body = worker.registration_body()
    answer = await desk.post(
        desk.registration, "/registrations", COMMUNE, body, key=worker.idempotency_key
    )
    if answer.status_code == 409:
        search = {"cccd": worker.cccd}
        found = await desk.post(desk.registration, "/registrations/search", COMMUNE, search)
        items = expect(found, "search by CCCD", 200).json()["items"]
        if not items:
            raise DemoError(f"worker {worker.number}: refused as a duplicate, yet not found")
        return str(items[0]["registration_id"])
    expect(answer, f"registration of worker {worker.number}", 201)
    if answer.headers.get("Idempotent-Replayed") != "true":
        tally.registrations_created += 1
    return str(answer.json()["registration_id"])


async def advance(
    desk: Desk, worker: Worker, rid: str, refs: Refs, tally: Tally
) -> bank.Blocked | None:
    """Send the worker's missing steps in order, up to the first that is the bank's."""
    timeline = await desk.get(desk.registration, f"/registrations/{rid}/timeline", COMMUNE)
    for position in remaining(worker, timeline):
        step = worker.scenario.steps[position]
        if step in data.BANK_STEPS:
            return bank.Blocked(worker, rid, step) if desk.loans is not None else None
        who, path, body = request_for(worker, position, refs)
        answer = await desk.post(desk.registration, f"/registrations/{rid}{path}", who, body)
        expect(answer, f"worker {worker.number} step {step}", 200, 204)
        tally.steps_sent += 1
    return None


async def walk_all(desk: Desk, ids: dict[int, str], refs: Refs, tally: Tally) -> None:
    """Walk everyone as far as they go alone, let the bank decide, and again, until done."""
    pending = data.workers()
    limit = asyncio.Semaphore(CONCURRENCY)

    async def one(worker: Worker) -> bank.Blocked | None:
        async with limit:
            # Safe to repeat: advance reads the file's timeline before it sends anything.
            return await again_if_cut(
                lambda: advance(desk, worker, ids[worker.number], refs, tally),
                f"worker {worker.number}",
            )

    for _ in range(len(data.BANK_STEPS) + 2):
        blocked = [b for b in await asyncio.gather(*map(one, pending)) if b is not None]
        if not blocked:
            return
        await bank.settle(desk, blocked, refs, BANK_TIMEOUT_SECONDS)
        pending = [b.worker for b in blocked]
    raise DemoError("workers still wait for the bank after every round")


async def repayments(desk: Desk, ids: dict[int, str], refs: Refs, tally: Tally) -> None:
    if desk.loans is None:
        return
    for worker in data.workers():
        if worker.scenario.repay:
            made = await again_if_cut(
                functools.partial(bank.first_repayment, desk, worker, ids[worker.number], refs),
                f"repayment of worker {worker.number}",
            )
            tally.repayments_made += made


# --- what is there now ------------------------------------------------------------------------


async def snapshot(desk: Desk, ids: dict[int, str]) -> dict[str, Any]:
    """Counts by stage, loan stage and gates over the demo's workers, read back from the API."""
    limit = asyncio.Semaphore(CONCURRENCY)

    async def read(rid: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        path = f"/registrations/{rid}"
        async with limit:
            journey = await again_if_cut(
                lambda: desk.get(desk.registration, f"{path}/journey", LABOUR), path
            )
            timeline = await again_if_cut(
                lambda: desk.get(desk.registration, f"{path}/timeline", LABOUR), path
            )
            return journey, timeline

    files = await asyncio.gather(*(read(rid) for rid in ids.values()))
    return summarise(files)


def summarise(files: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> dict[str, Any]:
    journeys = [j for j, _ in files]
    events = Counter(e["type"] for _, t in files for e in t if e["kind"] == "event")
    preparing = [j for j in journeys if j["stage"] in ("eligible", "in_training", "trained")]
    gates = Counter(
        "all_gates_met" if len(j["gates"]) == len(GATES) else "gates_partly_met"
        for j in preparing
        if j["gates"]
    )
    return {
        "workers": len(journeys),
        "stages": _counted(j["stage"] for j in journeys),
        "loans": _counted(j["loan"] for j in journeys if j["loan"] != "none"),
        "gates": dict(sorted(gates.items())),
        "early_returns": _counted(j["early_cause"] for j in journeys if j["early_cause"]),
        "check_ins": events["CheckInRecorded"],
        "events": sum(events.values()),
    }


def _counted(values: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))
