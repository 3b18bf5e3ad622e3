"""Progress against targets: which indicators exist and how "đạt x%" is rounded."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class Indicator(StrEnum):
    """What a target can be set for. Amounts are integer VND."""

    REGISTERED = "registered"
    TRAINED = "trained"
    DEPARTED = "departed"
    LOANS_DISBURSED = "loans_disbursed"
    LOANS_DISBURSED_VND = "loans_disbursed_vnd"


HEADINGS_VI = {
    Indicator.REGISTERED: "Số người đăng ký",
    Indicator.TRAINED: "Số người được đào tạo",
    Indicator.DEPARTED: "Số người xuất cảnh",
    Indicator.LOANS_DISBURSED: "Số món vay đã giải ngân",
    Indicator.LOANS_DISBURSED_VND: "Số tiền vay đã giải ngân (đồng)",
}

# Counter rows in the projection are kept per monthly indicator; the amount indicator reads
# the amount column of the disbursement counter.
COUNTER_OF = {
    Indicator.REGISTERED: ("registered", "n"),
    Indicator.TRAINED: ("trained", "n"),
    Indicator.DEPARTED: ("departed", "n"),
    Indicator.LOANS_DISBURSED: ("loans_disbursed", "n"),
    Indicator.LOANS_DISBURSED_VND: ("loans_disbursed", "amount_vnd"),
}

_TENTH = Decimal("0.1")


def achieved_percent(actual: int, target: int | None) -> Decimal | None:
    """`actual / target` in percent, to one decimal, halves rounded up (6.25 -> 6.3).

    Decimal arithmetic, never float: 1/16 is 6.25 exactly, and a float could round it either
    way. No target (or a zero target) gives no percentage rather than a division by zero.
    """
    if target is None or target <= 0:
        return None
    return (Decimal(actual) * 100 / Decimal(target)).quantize(_TENTH, rounding=ROUND_HALF_UP)


def format_percent_vi(value: Decimal | None) -> str:
    """Vietnamese decimal comma: "đạt 66,7%"."""
    if value is None:
        return "—"
    return f"đạt {str(value).replace('.', ',')}%"
