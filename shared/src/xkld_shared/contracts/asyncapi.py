"""The AsyncAPI document of every event, generated from the contracts themselves.

A test compares it with the committed `docs/asyncapi.json`, so no contract changes unnoticed.
Regenerate on purpose with `uv run python -m xkld_shared.contracts.asyncapi > docs/asyncapi.json`.
"""

from __future__ import annotations

import json
from typing import Any

from xkld_shared.contracts import enterprise, journey, loan, notification, outreach, training
from xkld_shared.contracts.envelope import Envelope, EventPayload
from xkld_shared.contracts.registry import default_registry, payloads_of
from xkld_shared.contracts.topics import Stream, Topics

# Which stream each event type travels on: each contract module is one stream.
STREAM_OF: dict[str, Stream] = {
    "RegistrationSubmitted": Stream.REGISTRATION,
    "RegistrationPersonalDataErased": Stream.REGISTRATION,
    **{m.EVENT_TYPE: Stream.REGISTRATION for m in payloads_of(journey)},
    **{m.EVENT_TYPE: Stream.REGISTRATION for m in payloads_of(training)},
    **{m.EVENT_TYPE: Stream.LOAN for m in payloads_of(loan)},
    **{m.EVENT_TYPE: Stream.NOTIFICATION for m in payloads_of(notification)},
    **{m.EVENT_TYPE: Stream.OUTREACH for m in payloads_of(outreach)},
    **{m.EVENT_TYPE: Stream.REGISTRATION for m in payloads_of(enterprise)},
}


_KEYED_BY_FILE = "keyed by registration_id; one partition orders one worker's events"
_KEYED_BY = {
    Stream.OUTREACH: (
        "keyed by the survey household's or round's id (in the envelope's registration_id); "
        "one partition orders one household's events"
    ),
}


def _message(model: type[EventPayload]) -> dict[str, Any]:
    return {
        "name": model.EVENT_TYPE,
        "title": model.EVENT_TYPE,
        "summary": (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else "",
        "contentType": "application/json",
        "headers": {"type": "object", "properties": {"event_type": {"const": model.EVENT_TYPE}}},
        "payload": {
            "allOf": [
                {"$ref": "#/components/schemas/Envelope"},
                {
                    "type": "object",
                    "properties": {
                        "event_type": {"const": model.EVENT_TYPE},
                        "schema_version": {"const": model.SCHEMA_VERSION},
                        "payload": model.model_json_schema(),
                    },
                },
            ]
        },
        "x-schema-version": model.SCHEMA_VERSION,
    }


def document() -> dict[str, Any]:
    models = default_registry().models()
    unplaced = sorted(set(models) - set(STREAM_OF))
    if unplaced:
        raise ValueError(f"event types with no stream in STREAM_OF: {unplaced}")
    topics = Topics()
    channels: dict[str, Any] = {}
    for stream in Stream:
        names = sorted(t for t, s in STREAM_OF.items() if s is stream)
        channels[stream.value] = {
            "address": topics.of(stream),
            "description": _KEYED_BY.get(stream, _KEYED_BY_FILE),
            "messages": {n: {"$ref": f"#/components/messages/{n}"} for n in names},
        }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "xkld events", "version": "1"},
        "defaultContentType": "application/json",
        "channels": channels,
        "components": {
            "schemas": {"Envelope": Envelope.model_json_schema()},
            "messages": {name: _message(models[name]) for name in sorted(models)},
        },
    }


def render() -> str:
    return json.dumps(document(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(render(), end="")
