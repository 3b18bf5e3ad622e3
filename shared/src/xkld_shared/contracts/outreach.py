"""Events of the outreach stream: the labour-demand survey (khảo sát nhu cầu lao động).

Round events are keyed by the round's id, household and member events by the household's id
(each rides in the envelope's `registration_id`, the stream's partition key), so one
household's answers stay in order. They carry codes and bands only: never a name, a CCCD or a
phone number. A survey member is anonymous on the topic; only the outreach service, and the
registration a member may become, know who they are.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import Field

from xkld_shared.contracts.envelope import EventPayload
from xkld_shared.contracts.registration import Code, PriorityGroup

CommuneCode = Annotated[str, Field(pattern=r"^\d{5}$")]
ProvinceCode = Annotated[str, Field(pattern=r"^\d{2}$")]
AgeBand = Literal["15-17", "18-24", "25-29", "30-34", "35-39", "40-44", "45-54", "55-64"]
Education = Literal[
    "none",
    "primary",
    "lower_secondary",
    "upper_secondary",
    "vocational",
    "college",
    "university",
]
CurrentWork = Literal[
    "farming", "fishing", "wage_work", "own_business", "student", "unemployed", "other"
]
AbroadWhen = Literal["within_6_months", "within_12_months", "later", "undecided"]


class SurveyRoundOpened(EventPayload):
    """A commune opened a survey round for a period."""

    EVENT_TYPE = "SurveyRoundOpened"
    SCHEMA_VERSION = 1

    round_id: uuid.UUID
    commune_code: CommuneCode
    province_code: ProvinceCode
    period_start: dt.date
    period_end: dt.date
    opened_on: dt.date


class SurveyRoundClosed(EventPayload):
    """A survey round was closed: no more households are taken into it."""

    EVENT_TYPE = "SurveyRoundClosed"
    SCHEMA_VERSION = 1

    round_id: uuid.UUID
    closed_on: dt.date
    households: int = Field(ge=0)
    members: int = Field(ge=0)


class SurveyMemberRecorded(EventPayload):
    """One household member of working age answered the survey (anonymous on the topic)."""

    EVENT_TYPE = "SurveyMemberRecorded"
    SCHEMA_VERSION = 1

    round_id: uuid.UUID
    household_id: uuid.UUID
    member_id: uuid.UUID
    commune_code: CommuneCode
    province_code: ProvinceCode
    hamlet: str = Field(min_length=1, max_length=100)
    age_band: AgeBand
    gender: Literal["male", "female"]
    education: Education
    current_work: CurrentWork
    wants_training: bool
    trade_code: Code | None = None
    wants_abroad: bool
    market_code: Code | None = None
    abroad_when: AbroadWhen | None = None
    needs_loan: bool
    priority_groups: tuple[PriorityGroup, ...] = ()
    contact_consent: bool


class SurveyRespondentConverted(EventPayload):
    """A survey member who wants to work abroad became a registration (linked once)."""

    EVENT_TYPE = "SurveyRespondentConverted"
    SCHEMA_VERSION = 1

    round_id: uuid.UUID
    household_id: uuid.UUID
    member_id: uuid.UUID
    registration_id: uuid.UUID
    commune_code: CommuneCode
    converted_on: dt.date


BroadcastRoute = Literal["sms", "zalo_then_sms"]


class CampaignBroadcastRequested(EventPayload):
    """One recipient of a campaign's broadcast, for notifications to send once. Keyed by the
    campaign's id, so a campaign's recipients stay in one partition, in order. The phone is
    sealed for notifications only (purpose `PHONE_PURPOSE`, as registration seals it); the text
    is the campaign's, never personal. Notifications sends each (`broadcast_id`,
    `recipient_id`) at most once, whatever the channel, and answers with
    `BroadcastRecipientSettled`."""

    EVENT_TYPE = "CampaignBroadcastRequested"
    SCHEMA_VERSION = 1

    campaign_id: uuid.UUID
    broadcast_id: uuid.UUID
    recipient_id: uuid.UUID
    commune_code: CommuneCode
    province_code: ProvinceCode
    phone_ciphertext: str = Field(min_length=1)
    route: BroadcastRoute
    sms_text: str = Field(min_length=1, max_length=1000)
    # Zalo's approved template and its named parameters; required when the route starts on Zalo.
    zalo_template_id: Code | None = None
    zalo_params: dict[str, str] = Field(default_factory=dict)
    # Not before this day (the campaign's period), in Asia/Ho_Chi_Minh.
    send_from: dt.date
