"""A file's history reads as one line per happening, with the person who did it."""

from __future__ import annotations

from typing import Any

from xkld_portal.domain.history import HistoryLine, history_lines

AT = "2026-12-05T07:59:01.123456+07:00"
LATER = "2026-12-05T09:12:44.000001+07:00"
SUBMISSION = "7b0c3f0e-2d7e-4a53-9a51-0d6b2b8f6a11"


def entry(kind: str, type_: str, actor: str | None, at: str = AT, **more: Any) -> dict[str, Any]:
    return {"kind": kind, "type": type_, "actor": actor, "at": at, "details": {}} | more


def test_an_audit_row_and_an_event_of_one_transaction_make_one_line_done_by_the_person() -> None:
    timeline = [
        entry("audit", "registration.submitted", "canbo", correlation_id=SUBMISSION),
        entry("event", "RegistrationSubmitted", "registration", correlation_id=SUBMISSION),
    ]
    assert history_lines(timeline) == [
        HistoryLine(AT, "RegistrationSubmitted", "File submitted", "canbo", None)
    ]


def test_a_later_answer_carrying_the_same_correlation_is_not_put_on_that_person() -> None:
    timeline = [
        entry("audit", "loan_requested", "canbo", correlation_id=SUBMISSION),
        entry("event", "LoanRequested", "registration", correlation_id=SUBMISSION),
        entry("event", "LoanApproved", "loans", at=LATER, correlation_id=SUBMISSION),
    ]
    lines = history_lines(timeline)
    assert [(line.label, line.who, line.system) for line in lines] == [
        ("Loan requested", "canbo", None),
        ("Loan approved", None, "the system (bank loans)"),
    ]


def test_a_change_recorded_without_an_event_keeps_its_own_line_and_person() -> None:
    timeline = [
        entry("audit", "registration.consent_changed", "canbo", correlation_id=SUBMISSION),
        entry("audit", "something.new", "laodong", correlation_id=None),
    ]
    assert history_lines(timeline) == [
        HistoryLine(AT, "registration.consent_changed", "Consent changed", "canbo", None),
        HistoryLine(AT, "something.new", None, "laodong", None),
    ]


def test_entries_without_a_correlation_id_are_never_joined() -> None:
    timeline = [
        entry("audit", "departed", "laodong"),
        entry("event", "WorkerDeparted", "registration"),
    ]
    lines = history_lines(timeline)
    assert [(line.code, line.who, line.system) for line in lines] == [
        ("departed", "laodong", None),
        ("WorkerDeparted", None, "the system (files)"),
    ]


def test_changes_recorded_without_an_event_are_named_like_the_audit_page_names_them() -> None:
    timeline = [
        entry("audit", "journey.attendance_recorded", "daotao", correlation_id=SUBMISSION),
        entry("audit", "poverty_status.recorded", "canbo", at=LATER, correlation_id=SUBMISSION),
    ]
    assert [line.label for line in history_lines(timeline)] == [
        "Attendance recorded",
        "Household poverty status recorded",
    ]
