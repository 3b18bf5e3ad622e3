import dataclasses
import datetime as dt
import uuid

import pytest
from xkld_registration.domain.consent import ConsentAnswers, Purpose
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
    consents=ConsentAnswers(dict.fromkeys(Purpose, True), "2026-01"),
    ethnicity_code="05",
    household_poverty="near_poor",
)


def test_opens_a_submitted_file_with_normalised_fields() -> None:
    registration = submit(VALID, registration_id=uuid.uuid4(), today=TODAY, province_code="86")
    assert registration.status is Status.SUBMITTED
    assert registration.phone_e164 == "+84912345678"
    assert registration.submitted_on == TODAY


def test_rejects_a_worker_under_eighteen_on_the_registration_date() -> None:
    young = dataclasses.replace(VALID, date_of_birth=dt.date(2008, 11, 27), cccd="086308123456")
    with pytest.raises(InvalidInput) as caught:
        submit(young, registration_id=uuid.uuid4(), today=TODAY, province_code="86")
    assert [p.field for p in caught.value.body.fields] == ["date_of_birth"]
    assert "18" in caught.value.body.message_vi


def test_reports_every_bad_field_at_once_in_vietnamese_and_english() -> None:
    bad = dataclasses.replace(VALID, cccd="123", phone="12", commune_code="x", full_name="1")
    with pytest.raises(InvalidInput) as caught:
        submit(bad, registration_id=uuid.uuid4(), today=TODAY, province_code=None)
    fields = {p.field for p in caught.value.body.fields}
    assert fields == {"cccd", "phone", "commune_code", "full_name"}
    assert all(p.message_vi and p.message_en for p in caught.value.body.fields)


def test_rejects_a_commune_code_missing_from_the_post_merger_list() -> None:
    stale = dataclasses.replace(VALID, commune_code="29791")  # Thành Lợi, merged in 2025
    with pytest.raises(InvalidInput) as caught:
        submit(stale, registration_id=uuid.uuid4(), today=TODAY, province_code=None)
    assert [p.field for p in caught.value.body.fields] == ["commune_code"]
    assert "2025" in caught.value.body.message_en


def test_refuses_a_file_without_consent_to_process_personal_data() -> None:
    answers = dict.fromkeys(Purpose, True) | {Purpose.REGISTRATION_PROCESSING: False}
    no_consent = dataclasses.replace(VALID, consents=ConsentAnswers(answers, "2026-01"))
    with pytest.raises(InvalidInput) as caught:
        submit(no_consent, registration_id=uuid.uuid4(), today=TODAY, province_code="86")
    assert [p.field for p in caught.value.body.fields] == ["consents.registration_processing"]


def test_sms_consent_follows_the_sms_purpose_only() -> None:
    answers = dict.fromkeys(Purpose, True) | {Purpose.SMS_NOTIFICATIONS: False}
    quiet = dataclasses.replace(VALID, consents=ConsentAnswers(answers, "2026-01"))
    registration = submit(quiet, registration_id=uuid.uuid4(), today=TODAY, province_code="86")
    assert registration.sms_consent is False


def test_rejects_an_unknown_ethnicity_code() -> None:
    bad = dataclasses.replace(VALID, ethnicity_code="55")
    with pytest.raises(InvalidInput) as caught:
        submit(bad, registration_id=uuid.uuid4(), today=TODAY, province_code="86")
    assert [p.field for p in caught.value.body.fields] == ["ethnicity_code"]
