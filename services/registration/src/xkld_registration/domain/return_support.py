"""The support owed after an early return, per cause (Law 69/2020 Art. 67), and its status (pure).

What each cause opens is listed as items the officer follows up one by one. Amounts are not
written into the law's text the way loan rates are, so none is invented here: the officer
records the amount actually given, when there is one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from xkld_shared.errors import Conflict

from xkld_registration.domain.problems import invalid_field


class SupportStatus(StrEnum):
    DUE = "due"
    GIVEN = "given"
    REFUSED = "refused"


@dataclass(frozen=True)
class SupportItem:
    code: str
    label_vi: str
    label_en: str


_JOB = SupportItem(
    "job_referral",
    "Giới thiệu việc làm, học nghề sau khi về nước",
    "Referral to a job or training after return",
)
_INSURANCE = SupportItem(
    "insurance_or_compensation",
    "Doanh nghiệp giải quyết bảo hiểm, bồi thường",
    "The enterprise settles insurance and compensation",
)
_LEGAL = SupportItem("legal_assistance", "Trợ giúp pháp lý", "Legal assistance")

# Every cause of WorkerReturned.early_cause has its list; a test checks none is missing.
OWED: dict[str, tuple[SupportItem, ...]] = {
    "accident_or_illness": (
        SupportItem(
            "fund_support_accident_illness",
            "Quỹ Hỗ trợ việc làm ngoài nước: hỗ trợ người bị tai nạn, bệnh nghề nghiệp, ốm đau",
            "Overseas Employment Support Fund: support for accident, occupational disease, illness",
        ),
        _INSURANCE,
        _JOB,
    ),
    "employer_bankruptcy_or_force_majeure": (
        SupportItem(
            "fund_support_early_return",
            "Quỹ Hỗ trợ việc làm ngoài nước: hỗ trợ về nước trước hạn "
            "(phá sản, thiên tai, dịch bệnh, chiến tranh)",
            "Overseas Employment Support Fund: support for an early return "
            "(bankruptcy, disaster, epidemic, war)",
        ),
        SupportItem(
            "wages_and_fees_settled",
            "Doanh nghiệp thanh toán tiền lương còn nợ, hoàn phí dịch vụ tương ứng",
            "The enterprise pays wages owed and refunds the matching share of its fee",
        ),
        _JOB,
    ),
    "terminated_for_abuse": (
        _LEGAL,
        SupportItem(
            "compensation_claim",
            "Yêu cầu bồi thường thiệt hại, hoàn phí dịch vụ",
            "A claim for damages and a refund of the service fee",
        ),
        _JOB,
    ),
    "dispute": (
        SupportItem(
            "dispute_resolution",
            "Hỗ trợ giải quyết tranh chấp với doanh nghiệp, người sử dụng lao động",
            "Help settling the dispute with the enterprise or employer",
        ),
        _LEGAL,
        _JOB,
    ),
    "death_or_missing": (
        SupportItem(
            "family_support",
            "Hỗ trợ thân nhân (Quỹ Hỗ trợ việc làm ngoài nước)",
            "Support for the family (Overseas Employment Support Fund)",
        ),
        SupportItem(
            "repatriation",
            "Đưa thi hài, tro cốt, di vật về nước; tìm kiếm người mất tích",
            "Bringing home the remains and belongings; searching for the missing",
        ),
        _INSURANCE,
    ),
}


def owed_for(cause: str | None) -> tuple[SupportItem, ...]:
    return OWED.get(cause or "", ())


def check_item(cause: str | None, item_code: str) -> SupportItem:
    for item in owed_for(cause):
        if item.code == item_code:
            return item
    raise invalid_field(
        "item_code",
        f"Khoản hỗ trợ «{item_code}» không áp dụng cho nguyên nhân về nước này",
        f"Support '{item_code}' does not apply to this cause of return",
    )


class SupportAlreadyGiven(Conflict):
    code = "support_already_given"

    def __init__(self) -> None:
        super().__init__(
            "Khoản hỗ trợ đã được chi trả, không thể đổi trạng thái",
            "The support was given already; its status cannot change",
        )


def next_status(current: SupportStatus, wanted: SupportStatus) -> SupportStatus | None:
    """The new status, or None when nothing changes. Given is final (money or help went out);
    a refusal may still be followed by the support after all; nothing goes back to due."""
    if current is wanted:
        return None
    if current is SupportStatus.GIVEN:
        raise SupportAlreadyGiven
    if wanted is SupportStatus.DUE:
        raise SupportBackToDue
    return wanted


class SupportBackToDue(Conflict):
    code = "support_cannot_return_to_due"

    def __init__(self) -> None:
        super().__init__(
            "Không thể đưa khoản hỗ trợ đã quyết định về trạng thái «chờ»",
            "A decided support cannot go back to due",
        )
