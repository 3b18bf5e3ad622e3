"""Templates (sandboxed, strict, GSM-7 checked when saved) and the event rules file."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from importlib import resources
from typing import Any

import pytest
from xkld_notifications.domain.outbound import ContactState, MessageStatus, compose
from xkld_notifications.domain.rules import add_months, load_rules, parse_rules, plan
from xkld_notifications.domain.sms_text import Encoding
from xkld_notifications.domain.templates import Template, TemplateProblem, check, render

NOW = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)  # 09:00 in Vietnam


def test_a_missing_variable_fails_loudly_instead_of_rendering_blank() -> None:
    template = Template("t", 1, "Ngày {{ starts_on }} tại {{ venue }}")
    with pytest.raises(TemplateProblem, match="venue"):
        render(template, {"starts_on": "05/01/2027"})


def test_rendering_unaccents_and_counts_segments() -> None:
    rendered = render(Template("t", 1, "Lớp {{ title }} khai giảng"), {"title": "Tiếng Hàn"})
    assert rendered.text == "Lop Tieng Han khai giang"
    assert (rendered.encoding, rendered.segments) == (Encoding.GSM7, 1)


def test_a_template_with_a_character_outside_gsm7_is_refused_when_saved() -> None:
    with pytest.raises(TemplateProblem, match="GSM-7"):
        check(Template("t", 1, "Chúc mừng 🎉 {{ name }}"))
    check(Template("t", 1, "Chúc mừng 🎉 {{ name }}", ucs2=True))  # fine in UCS-2 mode


def test_a_variable_bringing_a_non_gsm7_character_fails_the_render() -> None:
    with pytest.raises(TemplateProblem, match="GSM-7"):
        render(Template("t", 1, "Tại {{ venue }}"), {"venue": "東京"})


def test_the_sandbox_refuses_to_reach_into_python_internals() -> None:
    template = Template("t", 1, "{{ x.__class__.__mro__ }}")
    with pytest.raises(TemplateProblem):
        render(template, {"x": "a"})


def test_more_segments_than_the_template_allows_is_refused() -> None:
    template = Template("t", 1, "{{ text }}", max_segments=1)
    render(template, {"text": "a" * 160})
    with pytest.raises(TemplateProblem, match="2 segments"):
        render(template, {"text": "a" * 161})


def test_ucs2_mode_keeps_the_accents_and_counts_70_67() -> None:
    template = Template("t", 1, "{{ text }}", max_segments=3, ucs2=True)
    rendered = render(template, {"text": "ồ" * 71})
    assert (rendered.encoding, rendered.segments, rendered.text[:1]) == (Encoding.UCS2, 2, "ồ")


def test_money_is_written_with_dots_and_refuses_floats() -> None:
    template = Template("t", 1, "{{ amount | vnd }} đồng")
    assert render(template, {"amount": 90_000_000}).text == "90.000.000 dong"
    with pytest.raises(TemplateProblem):
        render(template, {"amount": 1.5})


def test_the_shipped_rules_load_and_every_template_is_versioned() -> None:
    rules = load_rules()
    assert {"registration_received", "repayment_due", "welcome_home", "manual"} <= set(
        rules.templates
    )
    assert all(t.version >= 1 for t in rules.templates.values())


def _raw_rules() -> dict[str, Any]:
    text = resources.files("xkld_notifications.data").joinpath("sms_rules.json").read_text()
    raw: dict[str, Any] = json.loads(text)
    return raw


def test_a_rules_file_with_a_bad_template_stops_the_service() -> None:
    raw = _raw_rules()
    raw["templates"][0]["text"] = "Xin chào ☃"
    with pytest.raises(TemplateProblem, match=raw["templates"][0]["code"]):
        parse_rules(raw)


def test_a_rule_naming_an_unknown_template_stops_the_service() -> None:
    raw = _raw_rules()
    raw["rules"].append({"event_type": "WorkerDeparted", "template": "nope"})
    with pytest.raises(TemplateProblem, match="nope"):
        parse_rules(raw)


# One realistic payload per event type that sends something; each must render within limits.
PAYLOADS: dict[str, dict[str, Any]] = {
    "RegistrationSubmitted": {"commune_code": "29800"},
    "RegistrationFoundEligible": {"assessed_on": dt.date(2026, 12, 1)},
    "RegistrationRejected": {"rejected_on": dt.date(2026, 12, 1), "reason_code": "age"},
    "TrainingEnrolled": {
        "course_title": "Tiếng Hàn sơ cấp (EPS-TOPIK)",
        "venue": "Trung tâm GDNN-GDTX Bình Tân",
        "starts_on": dt.date(2027, 1, 5),
        "ends_on": dt.date(2027, 4, 5),
    },
    "TrainingCompleted": {
        "completed_on": dt.date(2027, 4, 5),
        "passed": True,
        "certificate_issued": True,
    },
    "LoanApproved": {
        "amount_vnd": 90_000_000,
        "term_months": 36,
        "disbursement_due_on": dt.date(2026, 12, 15),
    },
    "LoanRejected": {},
    "LoanDisbursed": {"installments": 3, "first_due_on": dt.date(2027, 1, 31)},
    "LoanRestructured": {"installments": 2, "next_due_on": dt.date(2027, 6, 30)},
    "InstallmentOverdue": {
        "installment_no": 2,
        "due_on": dt.date(2026, 11, 1),
        "principal_due_vnd": 2_500_000,
        "interest_due_vnd": 495_000,
    },
    "DepartureScheduled": {"departure_on": dt.date(2027, 5, 2), "rescheduled": True},
    "WorkerDeparted": {"departed_on": dt.date(2027, 5, 2)},
    "WorkerReturned": {"returned_on": dt.date(2030, 5, 2)},
    "TraineeEnrolled": {
        "course_title": "Kỹ thuật nuôi trồng thủy sản nước ngọt (cá tra, cá điêu hồng)",
        "venue": "Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên huyện Long Hồ",
        "starts_on": dt.date(2027, 1, 5),
        "ends_on": dt.date(2027, 3, 30),
    },
    "TraineeCourseCompleted": {
        "completed_on": dt.date(2026, 11, 30),
        "passed": True,
        "certificate_issued": True,
    },
}


@pytest.mark.parametrize("event_type", sorted(PAYLOADS))
def test_every_rule_renders_a_gsm7_message_within_its_limit(event_type: str) -> None:
    rules = load_rules()
    planned = plan(rules, event_type, PAYLOADS[event_type], "ABCD1234", NOW)
    assert planned, f"{event_type} sends nothing"
    for item in planned:
        sms = compose(
            item,
            event_id=uuid.uuid4(),
            registration_id=uuid.uuid4(),
            contact=ContactState(sms_consent=True, opted_out=False),
        )
        assert sms.status is MessageStatus.PENDING, sms.error
        assert sms.encoding == "gsm7"


def test_loan_approval_with_a_date_also_reminds_on_disbursement_morning() -> None:
    rules = load_rules()
    planned = plan(rules, "LoanApproved", PAYLOADS["LoanApproved"], "R", NOW)
    by_template = {p.template.code: p for p in planned}
    assert by_template["loan_approved"].not_before == NOW
    # 08:00 in Vietnam on the day is 01:00 UTC.
    assert by_template["disbursement_day"].not_before == dt.datetime(
        2026, 12, 15, 1, 0, tzinfo=dt.UTC
    )


def test_repayment_reminders_go_three_days_before_each_monthly_instalment() -> None:
    rules = load_rules()
    planned = plan(rules, "LoanDisbursed", PAYLOADS["LoanDisbursed"], "R", NOW)
    assert [p.key for p in planned] == ["repayment_due#1", "repayment_due#2", "repayment_due#3"]
    assert [p.not_before.date() for p in planned] == [
        dt.date(2027, 1, 28),
        dt.date(2027, 2, 25),  # 28 Feb is due: 31 Jan + 1 month, clipped
        dt.date(2027, 3, 28),
    ]
    assert planned[1].variables["due_on"] == "28/02/2027"


def test_a_rescheduled_departure_is_urgent_and_a_first_one_is_not() -> None:
    rules = load_rules()
    first = {"departure_on": dt.date(2027, 5, 2), "rescheduled": False}
    assert not plan(rules, "DepartureScheduled", first, "R", NOW)[0].urgent
    assert plan(rules, "DepartureScheduled", PAYLOADS["DepartureScheduled"], "R", NOW)[0].urgent


def test_month_arithmetic_clips_to_the_last_day() -> None:
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)


def test_a_worker_without_consent_who_opted_out_or_was_erased_gets_a_suppressed_message() -> None:
    rules = load_rules()
    [item] = plan(rules, "LoanRejected", {}, "R", NOW)
    reasons = {}
    for name, contact in {
        "no_consent": ContactState(sms_consent=False, opted_out=False),
        "opted_out": ContactState(sms_consent=True, opted_out=True),
        "erased": ContactState(sms_consent=False, opted_out=False, erased=True),
    }.items():
        sms = compose(item, event_id=uuid.uuid4(), registration_id=uuid.uuid4(), contact=contact)
        reasons[name] = (sms.status, sms.suppressed_reason)
    assert reasons == {
        name: (MessageStatus.SUPPRESSED, name) for name in ("no_consent", "opted_out", "erased")
    }


def test_a_message_whose_contact_is_not_known_yet_waits_for_it_rather_than_being_dropped() -> None:
    rules = load_rules()
    [item] = plan(rules, "LoanRejected", {}, "R", NOW)
    sms = compose(item, event_id=uuid.uuid4(), registration_id=uuid.uuid4(), contact=None)
    assert (sms.status, sms.suppressed_reason) == (MessageStatus.AWAITING_CONTACT, None)
    assert sms.body, "rendered now, so a bad variable still fails at once"
