"""The registration stream's facts about enterprises (not about one worker's journey).

Complaints are judged per enterprise by reporting. The officer's free text stays in the
registration service: events carry the enterprise code, the category and the date only.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from xkld_shared.contracts.envelope import EventPayload
from xkld_shared.contracts.registration import Code

ComplaintCategory = Literal[
    "fees_over_cap",
    "contract_breach",
    "wage_arrears",
    "abuse",
    "other",
]


class EnterpriseComplaintRecorded(EventPayload):
    """An officer recorded a complaint about an enterprise; keyed by the complaint's id."""

    EVENT_TYPE = "EnterpriseComplaintRecorded"

    enterprise_code: Code
    category: ComplaintCategory
    complained_on: dt.date
