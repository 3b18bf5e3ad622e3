"""Request bodies of campaigns, templates, meetings and broadcasts: strict, Vietnamese first."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from pydantic import Field
from xkld_shared.contracts.outreach import AgeBand, BroadcastRoute, CommuneCode
from xkld_shared.contracts.registration import Code, PriorityGroup
from xkld_shared.http.strict import RequestModel

from xkld_outreach.domain.campaign import Channel, NewCampaign, Target

Hamlet = Annotated[str, Field(min_length=1, max_length=100)]


class CampaignRequest(RequestModel):
    """Một chiến dịch: mục tiêu, nhóm đối tượng, kênh, thời gian và mẫu tin."""

    goal: str = Field(min_length=1, max_length=500, description="Mục tiêu của chiến dịch")
    communes: set[CommuneCode] = Field(
        min_length=1, max_length=200, description="Các xã/phường (mã sau 01/07/2025)"
    )
    priority_groups: set[PriorityGroup] = Field(
        default_factory=set, description="Nhóm ưu tiên (để trống: mọi nhóm)"
    )
    hamlets: set[Hamlet] = Field(
        default_factory=set, max_length=200, description="Các ấp (để trống: mọi ấp)"
    )
    age_bands: set[AgeBand] = Field(
        default_factory=set, description="Nhóm tuổi (để trống: mọi nhóm tuổi)"
    )
    channels: set[Channel] = Field(min_length=1, description="Kênh: tin nhắn, họp, loa/đài")
    period_start: dt.date
    period_end: dt.date
    template_code: Code = Field(description="Mã mẫu tin (GET /message-templates)")

    def command(self) -> NewCampaign:
        target = Target(
            frozenset(self.communes),
            frozenset(self.priority_groups),
            frozenset(h.strip() for h in self.hamlets),
            frozenset(self.age_bands),
        )
        return NewCampaign(
            self.goal,
            target,
            frozenset(self.channels),
            self.period_start,
            self.period_end,
            self.template_code,
        )

    def fingerprint(self) -> dict[str, Any]:
        body = self.model_dump(mode="json")
        return {k: sorted(v) if isinstance(v, list) else v for k, v in body.items()}


class StatusRequest(RequestModel):
    status: Literal["active", "closed"] = Field(description="Bắt đầu (active) hoặc kết thúc")


class TemplateRequest(RequestModel):
    """Một phiên bản mới của mẫu tin. Không ghi thông tin cá nhân vào mẫu."""

    title: str = Field(min_length=1, max_length=200)
    sms_text: str = Field(min_length=1, max_length=1000, description="Nội dung SMS")
    zalo_template_id: Code | None = Field(None, description="Mã mẫu ZNS đã được duyệt")
    zalo_params: dict[str, str] = Field(
        default_factory=dict, max_length=20, description="Tham số có tên của mẫu ZNS"
    )
    announcement: str = Field(
        min_length=1, max_length=10_000, description="Bài đọc trên loa xã / đài huyện"
    )


class AttendeeRequest(RequestModel):
    respondent_id: uuid.UUID = Field(description="Mã người trả lời khảo sát")
    interested: bool = Field(False, description="Có quan tâm (muốn đăng ký) không")


class MeetingRequest(RequestModel):
    """Một buổi họp dân của chiến dịch, với người dự (đã khảo sát) và số người vãng lai."""

    commune_code: str = Field(pattern=r"^\d{5}$")
    held_on: dt.date = Field(description="Ngày họp")
    place: str = Field(min_length=1, max_length=200, description="Địa điểm")
    attendees: list[AttendeeRequest] = Field(default_factory=list, max_length=2000)
    walk_ins: int = Field(0, ge=0, le=10_000, description="Số người dự không có trong khảo sát")

    def meeting(self) -> dict[str, Any]:
        return self.model_dump(exclude={"attendees"})

    def attendee_list(self) -> list[tuple[uuid.UUID, bool]]:
        return [(a.respondent_id, a.interested) for a in self.attendees]


class BroadcastRequest(RequestModel):
    route: BroadcastRoute = Field(
        "sms", description="sms, hoặc zalo_then_sms (Zalo trước, không tới thì SMS)"
    )
