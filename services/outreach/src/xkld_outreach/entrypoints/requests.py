"""Request bodies of the survey: strict types, Vietnamese descriptions, no CCCD anywhere."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import Request
from pydantic import Field
from xkld_shared.audit import ChangeContext
from xkld_shared.contracts.outreach import AbroadWhen, AgeBand, CurrentWork, Education
from xkld_shared.contracts.registration import Code, PriorityGroup
from xkld_shared.http.app import correlation_id_of
from xkld_shared.http.strict import RequestModel
from xkld_shared.identity.principal import Principal

from xkld_outreach.application.survey import Household
from xkld_outreach.domain.survey import MAX_MEMBERS, Member


class RoundRequest(RequestModel):
    """Một đợt khảo sát nhu cầu lao động của một xã, trong một khoảng thời gian."""

    commune_code: str = Field(pattern=r"^\d{5}$", description="Mã xã/phường (sau 01/07/2025)")
    title: str = Field(min_length=1, max_length=200, description="Tên đợt khảo sát")
    period_start: dt.date
    period_end: dt.date


class MemberRequest(RequestModel):
    """Một người trong độ tuổi lao động của hộ. Không cần số CCCD."""

    full_name: str | None = Field(None, min_length=1, max_length=200, description="Họ và tên")
    age_band: AgeBand = Field(description="Nhóm tuổi")
    gender: Literal["male", "female"]
    education: Education = Field(description="Trình độ học vấn")
    current_work: CurrentWork = Field(description="Công việc hiện tại")
    wants_training: bool = Field(description="Có muốn học nghề không")
    trade_code: Code | None = Field(None, description="Mã nghề muốn học")
    wants_abroad: bool = Field(description="Có muốn đi làm việc ở nước ngoài không")
    market_code: Code | None = Field(None, description="Mã thị trường (xem GET /markets ở hồ sơ)")
    abroad_when: AbroadWhen | None = Field(None, description="Khi nào muốn đi")
    needs_loan: bool = Field(description="Có cần vay vốn không")
    priority_groups: set[PriorityGroup] = Field(default_factory=set, description="Nhóm ưu tiên")
    contact_consent: bool = Field(description="Đồng ý được liên hệ lại")
    phone: str | None = Field(
        None,
        min_length=1,
        max_length=20,
        description="Số di động (chỉ khi đồng ý được liên hệ); được mã hóa, không hiện lại",
    )

    def member(self) -> Member:
        return Member(
            **self.model_dump(exclude={"priority_groups"}),
            priority_groups=frozenset(self.priority_groups),
        )


class HouseholdRequest(RequestModel):
    """Một hộ gia đình: ấp/thôn và những người trong độ tuổi lao động."""

    hamlet: str = Field(min_length=1, max_length=100, description="Ấp / thôn / khu phố")
    members: list[MemberRequest] = Field(min_length=1, max_length=MAX_MEMBERS)

    def household(self) -> Household:
        return Household(self.hamlet, [m.member() for m in self.members])


def context_of(request: Request, actor: Principal) -> ChangeContext:
    source = request.client.host if request.client else None
    return ChangeContext(actor, source, correlation_id_of(request))
