"""Maps (event_type, schema_version) to payload models, upcasting old versions."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from xkld_shared.contracts import enterprise, journey, loan, notification, outreach, training
from xkld_shared.contracts.envelope import Envelope, EventPayload
from xkld_shared.contracts.registration import (
    RegistrationPersonalDataErased,
    RegistrationSubmitted,
)

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class UnknownEventType(Exception):
    """The consumer does not know this event type; it is skipped, not a failure."""


class EventRegistry:
    def __init__(self, models: Iterable[type[EventPayload]]) -> None:
        self._models = {m.EVENT_TYPE: m for m in models}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def add_upcaster(self, event_type: str, from_version: int, upcast: Upcaster) -> None:
        """Register a step from `from_version` to `from_version + 1`."""
        self._upcasters[(event_type, from_version)] = upcast

    def models(self) -> dict[str, type[EventPayload]]:
        return dict(self._models)

    def knows(self, event_type: str) -> bool:
        return event_type in self._models

    def payload_of(self, envelope: Envelope) -> EventPayload:
        model = self._models.get(envelope.event_type)
        if model is None:
            raise UnknownEventType(envelope.event_type)
        payload, version = dict(envelope.payload), envelope.schema_version
        while version < model.SCHEMA_VERSION:
            payload = self._upcasters[(envelope.event_type, version)](payload)
            version += 1
        return model.model_validate(payload)


def default_registry() -> EventRegistry:
    return EventRegistry(
        [
            RegistrationSubmitted,
            RegistrationPersonalDataErased,
            *payloads_of(journey),
            *payloads_of(loan),
            *payloads_of(notification),
            *payloads_of(training),
            *payloads_of(outreach),
            *payloads_of(enterprise),
        ]
    )


def payloads_of(module: ModuleType) -> list[type[EventPayload]]:
    """Every concrete event a contract module defines, so a new one cannot be forgotten here."""
    found = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, EventPayload)
        and value.__module__ == module.__name__
        and "EVENT_TYPE" in vars(value)
    ]
    return sorted(found, key=lambda m: m.EVENT_TYPE)
