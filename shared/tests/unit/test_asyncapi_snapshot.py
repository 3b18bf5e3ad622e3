"""Contracts cannot change unnoticed: the generated AsyncAPI must equal the committed one."""

import json
from pathlib import Path

from xkld_shared.contracts.asyncapi import document, render

SNAPSHOT = Path(__file__).resolve().parents[3] / "docs" / "asyncapi.json"
REGENERATE = "uv run python -m xkld_shared.contracts.asyncapi > docs/asyncapi.json"


def test_the_event_contracts_match_the_committed_asyncapi_document() -> None:
    assert render() == SNAPSHOT.read_text(), (
        f"an event contract changed; if that is intended (and versioned), run: {REGENERATE}"
    )


def test_no_event_carries_a_field_named_like_personal_data() -> None:
    forbidden = ("cccd", "name", "phone", "birth_date", "date_of_birth", "address", "ethnic")
    messages = document()["components"]["messages"]
    for name, message in messages.items():
        payload = message["payload"]["allOf"][1]["properties"]["payload"]
        for field in payload.get("properties", {}):
            sealed = field.endswith("_ciphertext")
            assert sealed or not any(word in field for word in forbidden), f"{name}.{field}"


def test_the_document_is_valid_json_with_every_stream() -> None:
    parsed = json.loads(SNAPSHOT.read_text())
    assert set(parsed["channels"]) == {"registration", "loan", "notification", "outreach"}
