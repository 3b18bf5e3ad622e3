"""One campaign recipient across two channels: Zalo first when the route says so, SMS if
Zalo cannot carry it. Pure: the dispatcher and the callbacks feed it what happened and store
what it answers, so "never on both channels unless the first failed" is decided in one place.

The rule for a Zalo delivery report that comes after the fallback was decided: while the SMS
has not been handed to the provider yet (no SMS attempt), the report wins and the SMS is
dropped; once an SMS attempt has started, the SMS stands and the late report is only noted.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

Channel = Literal["sms", "zalo"]
Outcome = Literal["sent", "delivered", "failed", "suppressed"]


class State(StrEnum):
    PENDING_ZALO = "pending_zalo"  # to go out on Zalo
    ZALO_SENT = "zalo_sent"  # Zalo accepted it; waiting for its delivery callback
    PENDING_SMS = "pending_sms"  # to go out by SMS, first choice or fallback
    SMS_SENT = "sms_sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


FINAL = frozenset({State.DELIVERED, State.FAILED, State.SUPPRESSED})
# States the dispatcher works on; the others wait for a callback or are final.
DUE = frozenset({State.PENDING_ZALO, State.ZALO_SENT, State.PENDING_SMS})


class Happened(StrEnum):
    ZALO_ACCEPTED = "zalo_accepted"
    ZALO_NO_ACCOUNT = "zalo_no_account"  # ZNS error -118: the number has no Zalo account
    ZALO_REFUSED = "zalo_refused"  # refused for good, or out of retries
    ZALO_DELIVERED = "zalo_delivered"  # the delivery callback
    ZALO_DEADLINE = "zalo_deadline"  # no delivery callback within the configured time
    SMS_ACCEPTED = "sms_accepted"
    SMS_REFUSED = "sms_refused"
    SMS_DELIVERED = "sms_delivered"
    SMS_FAILED = "sms_failed"  # the delivery report says not delivered
    OPTED_OUT = "opted_out"  # found opted out just before a send


@dataclass(frozen=True)
class Settle:
    """What to tell outreach (BroadcastRecipientSettled)."""

    outcome: Outcome
    channel: Channel | None
    reason: str | None = None


@dataclass(frozen=True)
class Step:
    state: State
    fell_back: bool
    reason: str | None
    settle: Settle | None = None
    late_zalo: bool = False  # a Zalo delivery noted after the SMS had started


@dataclass(frozen=True)
class Recipient:
    state: State
    fell_back: bool = False
    sms_attempted: bool = False  # the SMS has been handed to the provider at least once
    reason: str | None = None


def initial(route: str, has_zalo_template: bool) -> State:
    """A Zalo route without an approved template cannot start on Zalo: SMS it is."""
    if route == "zalo_then_sms" and has_zalo_template:
        return State.PENDING_ZALO
    return State.PENDING_SMS


def _fall_back(reason: str) -> Step:
    return Step(State.PENDING_SMS, fell_back=True, reason=reason)


_ZALO_TO_SMS = {
    Happened.ZALO_NO_ACCOUNT: "zalo_no_account",
    Happened.ZALO_REFUSED: "zalo_refused",
    Happened.ZALO_DEADLINE: "zalo_not_delivered",
}


def step(r: Recipient, happened: Happened) -> Step | None:
    """The next state and what to publish; None when the event changes nothing (a repeat, a
    report about a final recipient, an answer that came too late)."""
    if r.state in FINAL:
        return None
    if happened is Happened.OPTED_OUT:
        return _opted_out(r)
    if r.state is State.PENDING_ZALO:
        return _from_pending_zalo(happened)
    if r.state is State.ZALO_SENT:
        return _from_zalo_sent(happened)
    if r.state is State.PENDING_SMS:
        return _from_pending_sms(r, happened)
    return _from_sms_sent(r, happened)


def _opted_out(r: Recipient) -> Step | None:
    """Suppresses a recipient still waiting for a send; in any other state it changes nothing."""
    if r.state not in (State.PENDING_ZALO, State.PENDING_SMS):
        return None
    return Step(State.SUPPRESSED, r.fell_back, "opted_out", Settle("suppressed", None, "opted_out"))


def _from_pending_zalo(happened: Happened) -> Step | None:
    if happened is Happened.ZALO_ACCEPTED:
        return Step(State.ZALO_SENT, False, None, Settle("sent", "zalo"))
    if happened is Happened.ZALO_DELIVERED:  # the callback beat the send's own answer
        return Step(State.DELIVERED, False, None, Settle("delivered", "zalo"))
    if happened in (Happened.ZALO_NO_ACCOUNT, Happened.ZALO_REFUSED):
        return _fall_back(_ZALO_TO_SMS[happened])
    return None


def _from_zalo_sent(happened: Happened) -> Step | None:
    if happened is Happened.ZALO_DELIVERED:
        return Step(State.DELIVERED, False, None, Settle("delivered", "zalo"))
    if happened in _ZALO_TO_SMS:
        return _fall_back(_ZALO_TO_SMS[happened])
    return None


def _from_pending_sms(r: Recipient, happened: Happened) -> Step | None:
    if happened is Happened.ZALO_DELIVERED:
        if r.sms_attempted:
            return Step(r.state, r.fell_back, r.reason, late_zalo=True)
        return Step(State.DELIVERED, False, None, Settle("delivered", "zalo"))
    if happened is Happened.SMS_ACCEPTED:
        return Step(State.SMS_SENT, r.fell_back, r.reason, Settle("sent", "sms"))
    if happened is Happened.SMS_DELIVERED:  # the report beat the send's own answer
        return Step(State.DELIVERED, r.fell_back, r.reason, Settle("delivered", "sms"))
    if happened in (Happened.SMS_REFUSED, Happened.SMS_FAILED):
        return _sms_failed(r, happened)
    return None


def _from_sms_sent(r: Recipient, happened: Happened) -> Step | None:
    if happened is Happened.SMS_DELIVERED:
        return Step(State.DELIVERED, r.fell_back, r.reason, Settle("delivered", "sms"))
    if happened is Happened.SMS_FAILED:
        return _sms_failed(r, happened)
    if happened is Happened.ZALO_DELIVERED:
        return Step(r.state, r.fell_back, r.reason, late_zalo=True)
    return None


def _sms_failed(r: Recipient, happened: Happened) -> Step:
    reason = "sms_refused" if happened is Happened.SMS_REFUSED else "sms_not_delivered"
    return Step(State.FAILED, r.fell_back, reason, Settle("failed", "sms", reason))
