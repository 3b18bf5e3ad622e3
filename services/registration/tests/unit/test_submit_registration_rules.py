import dataclasses
import datetime as dt
import uuid

import pytest
from xkld_registration.domain.registration import Status, SubmitRegistration, submit
from xkld_shared.errors import InvalidInput

TODAY = dt.date(2026, 11, 26)
VALID = SubmitRegistration(
    full_name="Trần Thị Bích",
    cccd="086300123456",
    date_of_birth=dt.date(2000, 3, 2),
    gender="female",
    phone="0912345678",
    commune_code="29800",
    sms_consent=True,
)


def test_opens_a_submitted_file_with_normalised_fields() -> None:
    registration = submit(VALID, registration_id=uuid.uuid4(), today=TODAY)
    assert registration.status is Status.SUBMITTED
    assert registration.phone_e164 == "+84912345678"
    assert registration.submitted_on == TODAY


def test_rejects_a_worker_under_eighteen_on_the_registration_date() -> None:
    young = dataclasses.replace(VALID, date_of_birth=dt.date(2008, 11, 27), cccd="086308123456")
    with pytest.raises(InvalidInput) as caught:
        submit(young, registration_id=uuid.uuid4(), today=TODAY)
    assert [p.field for p in caught.value.body.fields] == ["date_of_birth"]
    assert "18" in caught.value.body.message_vi


def test_reports_every_bad_field_at_once_in_vietnamese_and_english() -> None:
    bad = dataclasses.replace(VALID, cccd="123", phone="12", commune_code="x", full_name="1")
    with pytest.raises(InvalidInput) as caught:
        submit(bad, registration_id=uuid.uuid4(), today=TODAY)
    fields = {p.field for p in caught.value.body.fields}
    assert fields == {"cccd", "phone", "commune_code", "full_name"}
    assert all(p.message_vi and p.message_en for p in caught.value.body.fields)
