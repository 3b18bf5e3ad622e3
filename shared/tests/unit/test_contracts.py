import datetime as dt
import json
import uuid

import pytest
from pydantic import ValidationError
from xkld_shared.contracts.envelope import Envelope, EventPayload, new_envelope
from xkld_shared.contracts.registration import RegistrationSubmitted
from xkld_shared.contracts.registry import EventRegistry, UnknownEventType, default_registry


def _submitted() -> RegistrationSubmitted:
    return RegistrationSubmitted(
        commune_code="29800",
        gender="female",
        birth_year=2000,
        submitted_on=dt.date(2026, 11, 26),
        phone_ciphertext="v1.k1.abc",
        sms_consent=True,
    )


def test_envelope_round_trips_through_bytes() -> None:
    env = new_envelope(_submitted(), registration_id=uuid.uuid4(), producer="registration")
    again = Envelope.from_bytes(env.to_bytes())
    assert again == env
    assert again.event_type == "RegistrationSubmitted"
    assert again.correlation_id == env.event_id  # a new story starts its own correlation


def test_consumers_ignore_fields_they_do_not_know() -> None:
    env = new_envelope(_submitted(), registration_id=uuid.uuid4(), producer="registration")
    raw = json.loads(env.to_bytes())
    raw["new_top_level_field"] = 1
    raw["payload"]["new_payload_field"] = "x"
    again = Envelope.model_validate(raw)
    payload = default_registry().payload_of(again)
    assert isinstance(payload, RegistrationSubmitted)


def test_envelopes_are_frozen() -> None:
    env = new_envelope(_submitted(), registration_id=uuid.uuid4(), producer="registration")
    with pytest.raises(ValidationError):
        env.event_type = "x"  # type: ignore[misc]


def test_occurred_at_must_carry_a_timezone() -> None:
    env = json.loads(
        new_envelope(_submitted(), registration_id=uuid.uuid4(), producer="r").to_bytes()
    )
    env["occurred_at"] = "2026-11-26T10:00:00"
    with pytest.raises(ValidationError):
        Envelope.model_validate(env)


def test_registry_refuses_unknown_types() -> None:
    env = new_envelope(_submitted(), registration_id=uuid.uuid4(), producer="r")
    with pytest.raises(UnknownEventType):
        EventRegistry([]).payload_of(env)


class _Renamed(EventPayload):
    EVENT_TYPE = "Renamed"
    SCHEMA_VERSION = 2
    commune: str


def test_upcaster_lifts_an_old_schema_version() -> None:
    registry = EventRegistry([_Renamed])
    registry.add_upcaster("Renamed", 1, lambda p: {"commune": p["commune_code"]})
    env = Envelope(
        event_id=uuid.uuid4(),
        event_type="Renamed",
        schema_version=1,
        occurred_at=dt.datetime.now(dt.UTC),
        producer="r",
        correlation_id=uuid.uuid4(),
        registration_id=uuid.uuid4(),
        payload={"commune_code": "29800"},
    )
    payload = registry.payload_of(env)
    assert isinstance(payload, _Renamed)
    assert payload.commune == "29800"


def test_an_early_return_needs_its_cause_and_a_completed_one_has_none() -> None:
    import datetime as dt

    import pydantic
    import pytest
    from xkld_shared.contracts.journey import WorkerReturned

    day = dt.date(2027, 5, 1)
    assert WorkerReturned(returned_on=day, early=True, early_cause="dispute").early_cause
    with pytest.raises(pydantic.ValidationError):
        WorkerReturned(returned_on=day, early=True)
    with pytest.raises(pydantic.ValidationError):
        WorkerReturned(returned_on=day, early=False, early_cause="dispute")


def test_every_contract_module_event_is_registered_on_its_stream() -> None:
    from xkld_shared.contracts.asyncapi import STREAM_OF
    from xkld_shared.contracts.registry import default_registry

    known = default_registry().models()
    for event_type in ("LoanRequested", "InstallmentOverdue", "NotificationSuppressed"):
        assert event_type in known
        assert event_type in STREAM_OF


def test_a_check_in_from_before_remittances_still_reads_and_a_remittance_is_whole_dong() -> None:
    from xkld_shared.contracts.journey import CheckInRecorded

    old = {"checked_in_on": "2026-01-05", "channel": "phone", "employment_status": "working"}
    assert CheckInRecorded.model_validate(old).remittance_vnd is None
    new = CheckInRecorded.model_validate(old | {"remittance_vnd": 12_000_000})
    assert new.remittance_vnd == 12_000_000
    with pytest.raises(ValidationError):
        CheckInRecorded.model_validate(old | {"remittance_vnd": -5})
