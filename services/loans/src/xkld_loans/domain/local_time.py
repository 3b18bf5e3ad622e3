"""Dates as people in the programme count them: Asia/Ho_Chi_Minh, whatever the server's zone."""

from __future__ import annotations

from xkld_shared.clock import VIETNAM as LOCAL
from xkld_shared.clock import vietnam_today as local_today

__all__ = ["LOCAL", "local_today"]
