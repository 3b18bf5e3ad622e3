from __future__ import annotations

import datetime as dt

from xkld_shared.clock import VIETNAM, vietnam_today

__all__ = ["VIETNAM", "VietnamClock"]


class VietnamClock:
    """Ages and dates are judged on the local calendar day, not the UTC one."""

    def today(self) -> dt.date:
        return vietnam_today()
