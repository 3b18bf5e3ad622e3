"""What a journey step decides: the next journey and the events that describe the step."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from xkld_shared.contracts.envelope import EventPayload

from xkld_registration.domain.journey_state import Journey, Stage, stage_refused


@dataclass(frozen=True)
class Decision:
    journey: Journey
    events: tuple[EventPayload, ...]


def moved(journey: Journey, *events: EventPayload, **changes: Any) -> Decision:
    return Decision(dataclasses.replace(journey, **changes), events)


def require(journey: Journey, stages: set[Stage], vi: str, en: str) -> None:
    if journey.stage not in stages:
        raise stage_refused(journey, vi, en)
