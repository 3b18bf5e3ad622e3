"""Licences and course places: the boundaries that decide a contract or an enrolment."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from xkld_registration.domain.reference import (
    Course,
    CourseRefused,
    Enterprise,
    check_enrolment,
    licence_problem,
)
from xkld_shared.errors import InvalidInput

FROM, TO = dt.date(2024, 1, 1), dt.date(2026, 12, 31)
LICENSED = Enterprise("DN-01", "12/GP", FROM, TO, frozenset({"JP", "KR"}))
COURSE = Course(
    uuid.uuid4(), "NB-01", "language", "Tiếng Nhật", "TT", "Vĩnh Long", FROM, TO, capacity=2
)


@pytest.mark.parametrize("day", [FROM, TO])
def test_a_licence_is_valid_on_its_first_and_last_day(day: dt.date) -> None:
    assert licence_problem(LICENSED, "JP", day) is None


@pytest.mark.parametrize("day", [FROM - dt.timedelta(days=1), TO + dt.timedelta(days=1)])
def test_a_licence_is_not_valid_a_day_outside_its_dates(day: dt.date) -> None:
    problem = licence_problem(LICENSED, "JP", day)
    assert problem is not None
    assert "12/GP" in problem[0]


def test_a_revoked_licence_blocks_even_within_its_dates() -> None:
    revoked = Enterprise("DN-01", "12/GP", FROM, TO, frozenset({"JP"}), revoked=True)
    problem = licence_problem(revoked, "JP", FROM)
    assert problem is not None
    assert "thu hồi" in problem[0]


def test_a_licence_covers_only_its_markets() -> None:
    assert licence_problem(LICENSED, "TW", FROM) is not None


def test_the_last_place_can_be_taken_and_then_the_course_is_full() -> None:
    check_enrolment(COURSE, enrolled=1, already_in=False, today=FROM)
    with pytest.raises(CourseRefused, match="full"):
        check_enrolment(COURSE, enrolled=2, already_in=False, today=FROM)


def test_an_ended_course_takes_no_one_and_no_one_enrols_twice() -> None:
    with pytest.raises(CourseRefused, match="ended"):
        check_enrolment(COURSE, enrolled=0, already_in=False, today=TO + dt.timedelta(days=1))
    with pytest.raises(CourseRefused, match="already"):
        check_enrolment(COURSE, enrolled=1, already_in=True, today=FROM)


def test_dates_that_run_backwards_are_invalid_input() -> None:
    from xkld_registration.domain.reference import check_course_dates, check_licence_dates

    with pytest.raises(InvalidInput):
        check_course_dates(TO, FROM)
    with pytest.raises(InvalidInput):
        check_licence_dates(TO, FROM)
