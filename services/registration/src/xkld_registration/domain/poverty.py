"""A household's poverty status from the official list, at intake and each year after the
worker's return (pure): which of the two a recording is, and which list years fit."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from xkld_shared.errors import Conflict

from xkld_registration.domain.journey_state import Journey, Stage, stage_refused
from xkld_registration.domain.problems import invalid_field

Basis = Literal["intake", "after_return"]

_BEFORE_DEPARTURE = {
    Stage.SUBMITTED,
    Stage.ELIGIBLE,
    Stage.IN_TRAINING,
    Stage.TRAINED,
    Stage.DEPARTURE_SCHEDULED,
}
_AFTER_RETURN = {Stage.RETURNED_COMPLETED, Stage.RETURNED_EARLY, Stage.REINTEGRATION}


def basis_of(journey: Journey) -> Basis:
    """Before departure the status is the intake's; after the return, the year's. While the
    worker is abroad, or for a closed file that never went, there is nothing to record."""
    if journey.stage in _BEFORE_DEPARTURE:
        return "intake"
    if journey.stage in _AFTER_RETURN:
        return "after_return"
    raise stage_refused(journey, "ghi nhận hộ nghèo", "record the poverty status")


def check_list_year(
    basis: Basis, list_year: int, today: dt.date, returned_on: dt.date | None
) -> None:
    first = returned_on.year if basis == "after_return" and returned_on else 2000
    if not first <= list_year <= today.year:
        raise invalid_field(
            "list_year",
            f"Năm của danh sách hộ nghèo phải từ {first} đến {today.year}",
            f"The list's year must fall between {first} and {today.year}",
        )


class PovertyStatusRecorded(Conflict):
    code = "poverty_status_recorded"

    def __init__(self) -> None:
        super().__init__(
            "Tình trạng hộ nghèo cho năm này đã được ghi nhận khác",
            "Another poverty status is recorded for this year already",
        )
