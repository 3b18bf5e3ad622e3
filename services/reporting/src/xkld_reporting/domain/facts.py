"""What the read models count: the counter increments a batch adds, the local day an event
falls on, and what each notification event adds to the SMS counts.

A batch of events is applied in order to the rows of the registrations (and loans) it touches
(`registration_facts`, `loan_facts`, over the rows of `fact_rows`); each change that the progress
report counts also adds to a counter delta. Rows hold ids and dimensions only.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from xkld_shared.clock import VIETNAM
from xkld_shared.contracts import notification as nt
from xkld_shared.contracts.envelope import Envelope, EventPayload

from xkld_reporting.domain.periods import month_of

LOCAL = VIETNAM
CounterKey = tuple[str, str, dt.date, str]  # indicator, commune, month, market


@dataclass
class Deltas:
    """Counter increments of one batch: (n, amount) per key."""

    counts: Counter[CounterKey] = field(default_factory=Counter)
    amounts: Counter[CounterKey] = field(default_factory=Counter)
    sms: Counter[tuple[str, dt.date, str]] = field(default_factory=Counter)
    unattributed: int = 0

    def add(
        self, indicator: str, commune: str | None, day: dt.date, market: str = "", vnd: int = 0
    ) -> None:
        if commune is None:
            self.unattributed += 1
            return
        key = (indicator, commune, month_of(day), market)
        self.counts[key] += 1
        self.amounts[key] += vnd


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(LOCAL).date()


SMS_OUTCOMES: dict[type[EventPayload], str] = {
    nt.NotificationSent: "sent",
    nt.NotificationDelivered: "delivered",
    nt.NotificationFailed: "failed",
    nt.NotificationSuppressed: "suppressed",
}


def _moment_of(env: Envelope, event: EventPayload) -> dt.datetime:
    """When the message was sent, delivered, failed or suppressed; else when the event
    occurred."""
    moment = getattr(event, "sent_at", None) or getattr(event, "delivered_at", None)
    moment = moment or getattr(event, "failed_at", None) or getattr(event, "suppressed_at", None)
    return moment if isinstance(moment, dt.datetime) else env.occurred_at


def apply_notification_event(deltas: Deltas, env: Envelope, event: EventPayload) -> None:
    outcome = SMS_OUTCOMES.get(type(event))
    if outcome is None:
        return
    day = local_day(_moment_of(env, event))
    deltas.sms[(getattr(event, "template_code", "?"), day, outcome)] += 1
