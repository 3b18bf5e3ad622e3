from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class VietnamClock:
    """Ages and dates are judged on the local calendar day, not the UTC one."""

    def today(self) -> dt.date:
        return dt.datetime.now(VIETNAM).date()
