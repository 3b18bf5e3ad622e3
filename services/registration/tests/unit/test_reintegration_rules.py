"""When the reintegration outcome is due: 3 and 6 months after the return."""

from __future__ import annotations

import datetime as dt

import pytest
from xkld_registration.domain.reintegration import (
    check_observed_on,
    due_checkpoints,
    months_after,
)
from xkld_shared.errors import InvalidInput

D = dt.date


def test_months_are_counted_by_calendar_and_clipped_to_the_months_last_day() -> None:
    assert months_after(D(2026, 11, 30), 3) == D(2027, 2, 28)
    assert months_after(D(2027, 11, 30), 3) == D(2028, 2, 29)
    assert months_after(D(2026, 8, 31), 6) == D(2027, 2, 28)
    assert months_after(D(2026, 1, 15), 6) == D(2026, 7, 15)


def test_a_checkpoint_is_due_from_its_day_or_within_the_days_ahead() -> None:
    back = D(2026, 1, 15)
    assert due_checkpoints(back, set(), D(2026, 4, 14), 0) == []
    assert [d.checkpoint_months for d in due_checkpoints(back, set(), D(2026, 4, 15), 0)] == [3]
    assert [d.checkpoint_months for d in due_checkpoints(back, set(), D(2026, 4, 1), 14)] == [3]
    assert [d.checkpoint_months for d in due_checkpoints(back, set(), D(2026, 8, 1), 0)] == [3, 6]


def test_a_recorded_checkpoint_is_no_longer_due() -> None:
    due = due_checkpoints(D(2026, 1, 15), {3}, D(2026, 8, 1), 0)
    assert [(d.checkpoint_months, d.due_on) for d in due] == [(6, D(2026, 7, 15))]


def test_an_outcome_is_observed_between_the_return_and_today() -> None:
    check_observed_on(D(2026, 1, 15), D(2026, 4, 15), D(2026, 5, 1))
    for wrong in (D(2026, 1, 14), D(2026, 5, 2)):
        with pytest.raises(InvalidInput):
            check_observed_on(D(2026, 1, 15), wrong, D(2026, 5, 1))
