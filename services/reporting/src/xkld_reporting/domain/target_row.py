"""One target (chỉ tiêu): an area, a year, optionally a quarter and a market, and its value."""

from __future__ import annotations

from dataclasses import dataclass

from xkld_reporting.domain.progress import Indicator


@dataclass(frozen=True)
class TargetRow:
    area_code: str
    year: int
    quarter: int  # 0 = the whole year
    indicator: Indicator
    market: str
    value: int

    @property
    def key(self) -> str:
        quarter = f"Q{self.quarter}" if self.quarter else "year"
        return f"{self.area_code}/{self.year}/{quarter}/{self.indicator}/{self.market or '*'}"
