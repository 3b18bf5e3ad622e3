import dataclasses
import datetime as dt
import uuid

import pytest
from xkld_registration.domain.communes import AdminUnit, CurrentCommune, resolve_commune
from xkld_registration.domain.consent import ConsentAnswers, Purpose
from xkld_registration.domain.markets import Market
from xkld_registration.domain.registration import (
    IntakeDetails,
    Status,
    SubmitRegistration,
    submit,
    submitted_event,
)
from xkld_shared.errors import FieldProblem, InvalidInput

TODAY = dt.date(2026, 11, 26)
TAN_QUOI = CurrentCommune("29800", "86", "29800")
_NEW = dt.date(2025, 7, 1)
_OLD_END = dt.date(2025, 6, 30)
UNITS = {
    "29800": AdminUnit("29800", "Xã Tân Quới", "86", _NEW, None),
    "29623": AdminUnit("29623", "Xã Nhơn Phú", "86", _NEW, None),
    "29791": AdminUnit("29791", "Xã Thành Lợi", "86", None, _OLD_END, ("29800",)),
    "11111": AdminUnit("11111", "Xã Chia Đôi", "86", None, _OLD_END, ("29623", "29800")),
}
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
    registration = submit(VALID, registration_id=uuid.uuid4(), today=TODAY, commune=TAN_QUOI)
    assert registration.status is Status.SUBMITTED
    assert registration.phone_e164 == "+84912345678"
    assert registration.submitted_on == TODAY


def test_rejects_a_worker_under_eighteen_on_the_registration_date() -> None:
    young = dataclasses.replace(VALID, date_of_birth=dt.date(2008, 11, 27), cccd="086308123456")
    with pytest.raises(InvalidInput) as caught:
        submit(young, registration_id=uuid.uuid4(), today=TODAY, commune=TAN_QUOI)
    assert [p.field for p in caught.value.body.fields] == ["date_of_birth"]
    assert "18" in caught.value.body.message_vi


def test_reports_every_bad_field_at_once_in_vietnamese_and_english() -> None:
    bad = dataclasses.replace(VALID, cccd="123", phone="12", commune_code="x", full_name="1")
    commune = resolve_commune("x", UNITS.get, TODAY)
    with pytest.raises(InvalidInput) as caught:
        submit(bad, registration_id=uuid.uuid4(), today=TODAY, commune=commune)
    fields = {p.field for p in caught.value.body.fields}
    assert fields == {"cccd", "phone", "commune_code", "full_name"}
    assert all(p.message_vi and p.message_en for p in caught.value.body.fields)


def test_rejects_a_commune_code_in_neither_list() -> None:
    unknown = dataclasses.replace(VALID, commune_code="99999")
    commune = resolve_commune("99999", UNITS.get, TODAY)
    with pytest.raises(InvalidInput) as caught:
        submit(unknown, registration_id=uuid.uuid4(), today=TODAY, commune=commune)
    assert [p.field for p in caught.value.body.fields] == ["commune_code"]
    assert "2025" in caught.value.body.message_en


def test_a_pre_merger_commune_code_opens_the_file_in_the_commune_that_absorbed_it() -> None:
    old = dataclasses.replace(VALID, commune_code="29791")  # Thành Lợi, now part of Tân Quới
    commune = resolve_commune("29791", UNITS.get, TODAY)
    registration = submit(old, registration_id=uuid.uuid4(), today=TODAY, commune=commune)
    assert registration.commune_code == "29800"
    assert registration.commune_code_entered == "29791"


def test_a_pre_merger_commune_split_between_new_ones_asks_for_the_new_code() -> None:
    commune = resolve_commune("11111", UNITS.get, TODAY)
    assert isinstance(commune, FieldProblem)
    assert "29800" in commune.message_vi
    assert "29623" in commune.message_vi


def test_a_market_age_limit_is_checked_on_the_registration_date() -> None:
    eps = Market("KR_EPS", "Hàn Quốc", "EPS", min_age=18, max_age=39, typical_cost_vnd=None)
    old = dataclasses.replace(VALID, date_of_birth=dt.date(1986, 11, 25), cccd="086186123456")
    with pytest.raises(InvalidInput) as caught:
        submit(old, registration_id=uuid.uuid4(), today=TODAY, commune=TAN_QUOI, market=eps)
    assert [p.field for p in caught.value.body.fields] == ["desired_market"]
    assert "18–39" in caught.value.body.fields[0].message_vi
    birthday_tomorrow = dataclasses.replace(old, date_of_birth=dt.date(1986, 11, 27))
    registration = submit(
        birthday_tomorrow, registration_id=uuid.uuid4(), today=TODAY, commune=TAN_QUOI, market=eps
    )
    assert registration.submitted_on == TODAY


def test_the_new_intake_details_travel_in_the_submitted_event_without_personal_text() -> None:
    details = IntakeDetails(
        hamlet="  Ấp   Tân Thạnh ",
        education="upper_secondary",
        occupation="May công nghiệp",
        priority_groups=frozenset({"poor_household", "ethnic_minority"}),
        desired_market="JP_TITP",
        loan_wanted=True,
    )
    cmd = dataclasses.replace(VALID, details=details)
    registration = submit(cmd, registration_id=uuid.uuid4(), today=TODAY, commune=TAN_QUOI)
    event = submitted_event(registration, "sealed")
    assert event.hamlet == "Ấp Tân Thạnh"
    assert event.priority_groups == ("ethnic_minority", "poor_household")
    assert event.desired_market == "JP_TITP"
    assert event.loan_wanted is True
    assert "May" not in event.model_dump_json()


def test_refuses_a_file_without_consent_to_process_personal_data() -> None:
    answers = dict.fromkeys(Purpose, True) | {Purpose.REGISTRATION_PROCESSING: False}
    no_consent = dataclasses.replace(VALID, consents=ConsentAnswers(answers, "2026-01"))
    with pytest.raises(InvalidInput) as caught:
        submit(no_consent, registration_id=uuid.uuid4(), today=TODAY, commune=TAN_QUOI)
    assert [p.field for p in caught.value.body.fields] == ["consents.registration_processing"]


def test_sms_consent_follows_the_sms_purpose_only() -> None:
    answers = dict.fromkeys(Purpose, True) | {Purpose.SMS_NOTIFICATIONS: False}
    quiet = dataclasses.replace(VALID, consents=ConsentAnswers(answers, "2026-01"))
    registration = submit(quiet, registration_id=uuid.uuid4(), today=TODAY, commune=TAN_QUOI)
    assert registration.sms_consent is False


def test_rejects_an_unknown_ethnicity_code() -> None:
    bad = dataclasses.replace(VALID, ethnicity_code="55")
    with pytest.raises(InvalidInput) as caught:
        submit(bad, registration_id=uuid.uuid4(), today=TODAY, commune=TAN_QUOI)
    assert [p.field for p in caught.value.body.fields] == ["ethnicity_code"]
