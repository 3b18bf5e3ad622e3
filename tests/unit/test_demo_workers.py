"""The demo: its workers pass registration's own rules and are the same on every run; a run
knows which steps a file already shows; a broken connection is tried again where safe."""

from __future__ import annotations

import datetime as dt
import unicodedata

import httpx
import pytest
from xkld_registration.domain.identity import cccd_problem, normalise_mobile, normalise_name
from xkld_shared.clock import vietnam_today
from xkld_shared.demo import data, steps
from xkld_shared.demo.client import DemoError, again_if_cut


def test_every_demo_worker_has_a_valid_cccd_mobile_and_nfc_name_and_none_repeats() -> None:
    workers = data.workers()
    for w in workers:
        born = dt.date.fromisoformat(w.date_of_birth)
        assert cccd_problem(w.cccd, born, w.gender) is None, (w.number, w.cccd)  # type: ignore[arg-type]
        assert normalise_mobile(w.phone) is not None, w.phone
        assert normalise_name(w.full_name) == w.full_name
        assert unicodedata.is_normalized("NFC", w.full_name + w.hamlet)
    assert len({w.cccd for w in workers}) == len({w.phone for w in workers}) == len(workers)


def test_the_workers_and_their_keys_are_the_same_on_every_build() -> None:
    first, second = data.workers(), data.workers()
    assert first == second
    assert [w.idempotency_key for w in first] == [w.idempotency_key for w in second]
    assert len({w.idempotency_key for w in first}) == len(first)


def test_the_first_three_workers_are_those_of_the_first_demo() -> None:
    kept = [(w.full_name, w.cccd, w.date_of_birth) for w in data.workers()[:3]]
    assert kept == [row[:3] for row in data.FIRST_THREE]


def test_every_planned_step_has_a_request_or_is_the_banks_and_a_done_marker() -> None:
    refs = steps.Refs(courses={c.code: f"id-{c.code}" for c in data.COURSES}, today=vietnam_today())
    for w in data.workers():
        for position, step in enumerate(w.scenario.steps):
            assert steps.step_key(step, w)[0]
            if step not in data.BANK_STEPS:
                who, path, _ = steps.request_for(w, position, refs)
                assert path.startswith("/")
                assert who in {s.username for s in data.STAFF}


def test_a_timeline_with_one_of_two_check_ins_leaves_only_the_second() -> None:
    worker = next(w for w in data.workers() if w.scenario.name == "abroad_with_loan")
    last = len(worker.scenario.steps) - 1
    assert worker.scenario.steps[last] == worker.scenario.steps[last - 1] == "check_in"
    timeline = [_entry(step, worker) for step in worker.scenario.steps[:last]]
    assert steps.remaining(worker, timeline) == [last]
    assert steps.remaining(worker, [*timeline, _entry("check_in", worker)]) == []


def _entry(step: str, worker: data.Worker) -> dict[str, object]:
    """The timeline entry a done step leaves: its event, or the audit row of a bank decision."""
    kind, detail = steps.step_key(step, worker)
    key = "course_code" if step.startswith(("enrol", "pass")) else "gate"
    return {
        "kind": "audit" if kind.startswith("journey.") else "event",
        "type": kind,
        "details": {key: detail} if detail else {},
    }


async def test_a_broken_connection_is_tried_again_and_a_lasting_one_is_reported() -> None:
    calls = []

    async def cut_once() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        return "read"

    assert await again_if_cut(cut_once, "a read") == "read"
    assert len(calls) == 2

    async def always_cut() -> str:
        raise httpx.ConnectError("refused")

    with pytest.raises(DemoError, match="a read"):
        await again_if_cut(always_cut, "a read", attempts=2)
