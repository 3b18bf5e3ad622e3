"""Complaints about an enterprise (issue 17): what one is, and what is refused. Pure."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from xkld_shared.contracts.enterprise import ComplaintCategory

from xkld_registration.domain.problems import invalid_field


@dataclass(frozen=True)
class Complaint:
    id: uuid.UUID
    enterprise_code: str
    category: ComplaintCategory
    complained_on: dt.date
    details: str


def check_complaint_date(complained_on: dt.date, today: dt.date) -> None:
    """A complaint is recorded after it was made, not before."""
    if complained_on > today:
        raise invalid_field(
            "complained_on",
            "Ngày khiếu nại không được sau ngày hôm nay",
            "The complaint's date cannot be after today",
        )
