"""Employment after training is recorded within six months of the course, never before it ends
or in the future; "went abroad" names the person's own labour-export file."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from xkld_registration.domain.training_outcome import add_months, check_outcome
from xkld_shared.errors import InvalidInput

DONE = dt.date(2026, 3, 31)
TODAY = dt.date(2026, 12, 1)


def _fields(**kwargs: object) -> set[str]:
    with pytest.raises(InvalidInput) as refused:
        check_outcome(**kwargs)  # type: ignore[arg-type]
    return {f.field for f in refused.value.body.fields}


def test_an_outcome_within_six_months_of_the_course_is_accepted() -> None:
    check_outcome("work_in_trade", DONE, DONE, TODAY, abroad_file_found=False)
    check_outcome("no_work_yet", dt.date(2026, 9, 30), DONE, TODAY, abroad_file_found=False)


def test_an_outcome_past_six_months_or_before_the_course_ended_is_refused() -> None:
    late = {"outcome": "other_work", "observed_on": dt.date(2026, 10, 1), "completed_on": DONE}
    assert _fields(**late, today=TODAY, abroad_file_found=False) == {"observed_on"}
    early = {"outcome": "other_work", "observed_on": dt.date(2026, 3, 30), "completed_on": DONE}
    assert _fields(**early, today=TODAY, abroad_file_found=False) == {"observed_on"}


def test_an_outcome_before_the_course_has_a_result_is_refused() -> None:
    fields = _fields(
        outcome="own_business",
        observed_on=DONE,
        completed_on=None,
        today=TODAY,
        abroad_file_found=False,
    )
    assert fields == {"course_id"}


def test_went_abroad_needs_the_persons_own_labour_export_file() -> None:
    fields = _fields(
        outcome="went_abroad",
        observed_on=DONE,
        completed_on=DONE,
        today=TODAY,
        abroad_file_found=False,
    )
    assert fields == {"registration_id"}
    check_outcome("went_abroad", DONE, DONE, TODAY, abroad_file_found=True)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_six_months_later_is_never_earlier_and_at_most_184_days_on(day: dt.date) -> None:
    later = add_months(day, 6)
    assert 181 <= (later - day).days <= 184


def test_a_course_recorded_as_ending_in_year_9999_gives_a_422_not_an_overflow() -> None:
    fields = _fields(
        outcome="other_work",
        observed_on=dt.date(9999, 12, 31),
        completed_on=dt.date(9999, 12, 1),
        today=TODAY,
        abroad_file_found=False,
    )
    assert fields == {"observed_on"}
