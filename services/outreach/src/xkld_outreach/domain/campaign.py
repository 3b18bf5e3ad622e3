"""Outreach campaigns: what a campaign is, its states, who a broadcast reaches, and how a
recipient's outcome moves on. Pure: no I/O."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from xkld_shared.errors import Conflict, InvalidInput

from xkld_outreach.domain.period import PeriodLimit, period_problem

Channel = Literal["sms_broadcast", "meeting", "loudspeaker"]
Status = Literal["draft", "active", "closed"]
MAX_CAMPAIGN_DAYS = 366
_PERIOD = PeriodLimit(MAX_CAMPAIGN_DAYS, "Một chiến dịch", "A campaign")
# Which state may follow which; a closed campaign stays closed.
NEXT: dict[str, frozenset[str]] = {
    "draft": frozenset({"active", "closed"}),
    "active": frozenset({"closed"}),
    "closed": frozenset(),
}


@dataclass(frozen=True)
class Target:
    """Who a campaign is for. An empty set means "any" for that dimension."""

    communes: frozenset[str]
    priority_groups: frozenset[str] = frozenset()
    hamlets: frozenset[str] = frozenset()
    age_bands: frozenset[str] = frozenset()


@dataclass(frozen=True)
class NewCampaign:
    goal: str
    target: Target
    channels: frozenset[str]
    period_start: dt.date
    period_end: dt.date
    template_code: str


def check_campaign(cmd: NewCampaign) -> None:
    if problem := period_problem(cmd.period_start, cmd.period_end, _PERIOD):
        raise InvalidInput.of([problem])


class CampaignStateConflict(Conflict):
    code = "campaign_state"


def check_transition(current: str, wanted: str) -> None:
    if wanted not in NEXT[current]:
        raise CampaignStateConflict(
            f"Chiến dịch đang ở trạng thái '{current}': không thể chuyển sang '{wanted}'",
            f"The campaign is '{current}': it cannot become '{wanted}'",
        )


def check_broadcastable(status: str, channels: Iterable[str]) -> None:
    if "sms_broadcast" not in channels:
        raise CampaignStateConflict(
            "Chiến dịch này không có kênh nhắn tin", "This campaign has no SMS broadcast channel"
        )
    if status != "active":
        raise CampaignStateConflict(
            "Chỉ gửi tin khi chiến dịch đang diễn ra (active)",
            "A broadcast needs an active campaign",
        )


def check_not_closed(status: str) -> None:
    if status == "closed":
        raise CampaignStateConflict("Chiến dịch đã kết thúc", "The campaign is closed")


@dataclass(frozen=True)
class Candidate:
    """A surveyed person in one of the campaign's communes, as far as a broadcast cares."""

    member_id: uuid.UUID
    commune_code: str
    hamlet: str
    age_band: str
    priority_groups: frozenset[str]
    contact_consent: bool
    has_phone: bool


def in_target(c: Candidate, target: Target) -> bool:
    return (
        c.commune_code in target.communes
        and (not target.hamlets or c.hamlet in target.hamlets)
        and (not target.age_bands or c.age_band in target.age_bands)
        and (not target.priority_groups or bool(c.priority_groups & target.priority_groups))
    )


def reachable(c: Candidate) -> bool:
    """Consented and has a phone. An erased person has no phone any more (it is dropped on
    erasure), so they fall out here too; opt-outs are notifications' to honour."""
    return c.contact_consent and c.has_phone


@dataclass(frozen=True)
class Audience:
    recipients: tuple[Candidate, ...]
    already_sent: int  # in target and reachable, but an earlier broadcast already asked


def audience(
    candidates: Sequence[Candidate], target: Target, already: Iterable[uuid.UUID]
) -> Audience:
    """Who one broadcast goes to: in target, reachable, never asked before for this campaign."""
    sent_before = set(already)
    eligible = [c for c in candidates if in_target(c, target) and reachable(c)]
    fresh = tuple(c for c in eligible if c.member_id not in sent_before)
    return Audience(fresh, len(eligible) - len(fresh))


# How far an outcome got: a later, lower report (a late `sent` after `delivered`) changes
# nothing. A failure outranks `sent`; a delivery (say by SMS after Zalo failed) outranks both.
RANK = {"requested": 0, "suppressed": 1, "sent": 2, "failed": 3, "delivered": 4}


def furthest(current: str, reported: str) -> bool:
    """Whether the reported outcome replaces the current one."""
    return RANK[reported] > RANK[current]
