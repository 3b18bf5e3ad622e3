"""SMS figures on `/metrics`, counted from this service's own events as the relay publishes
them: every sent, delivered, failed and suppressed message has exactly one event, whichever
path (dispatcher, delivery report, erasure, opt-out) produced it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prometheus_client import Counter
from xkld_shared.contracts.notification import (
    BroadcastRecipientSettled,
    NotificationDelivered,
    NotificationFailed,
    NotificationSent,
    NotificationSuppressed,
)
from xkld_shared.metrics import ServiceMetrics


def add_sms_metrics(metrics: ServiceMetrics) -> None:
    metrics.count_events(
        "xkld_sms_messages",
        "SMS by outcome: sent to the provider, delivered, failed, suppressed (no consent, "
        "opted out, erased).",
        "outcome",
        {
            NotificationSent.EVENT_TYPE: "sent",
            NotificationDelivered.EVENT_TYPE: "delivered",
            NotificationFailed.EVENT_TYPE: "failed",
            NotificationSuppressed.EVENT_TYPE: "suppressed",
        },
    )
    _count_segments(metrics)


def _count_segments(metrics: ServiceMetrics) -> None:
    segments = Counter(
        "xkld_sms_segments",
        "Segments of the SMS sent (what the provider bills).",
        registry=metrics.registry,
    )

    def count_segments(envelope: Mapping[str, Any]) -> None:
        segments.inc(int(envelope["payload"]["segments"]))

    metrics.on_published([NotificationSent.EVENT_TYPE], count_segments)


def add_broadcast_metrics(metrics: ServiceMetrics) -> None:
    """Campaign broadcasts by channel (issue 16), from BroadcastRecipientSettled as published:
    outcomes per channel, and SMS sent as a fallback from Zalo. Costs are in the channel
    report (`GET /sms/channel-report`), which sums them per row."""

    outcomes = _broadcast_outcomes(metrics)
    fallbacks = Counter(
        "xkld_broadcast_fallbacks",
        "Campaign messages Zalo could not carry that went by SMS instead.",
        registry=metrics.registry,
    )

    def count(envelope: Mapping[str, Any]) -> None:
        p = envelope["payload"]
        outcomes.labels(p.get("channel") or "none", p["outcome"]).inc()
        if p["outcome"] == "sent" and p.get("channel") == "sms" and p.get("fell_back"):
            fallbacks.inc()

    metrics.on_published([BroadcastRecipientSettled.EVENT_TYPE], count)


def _broadcast_outcomes(metrics: ServiceMetrics) -> Counter:
    """Every channel's outcomes shown from the start, at zero."""
    outcomes = Counter(
        "xkld_broadcast_messages",
        "Campaign broadcast messages by channel (sms, zalo, none when suppressed) and outcome.",
        ["channel", "outcome"],
        registry=metrics.registry,
    )
    for channel in ("sms", "zalo"):
        for outcome in ("sent", "delivered", "failed"):
            outcomes.labels(channel, outcome)
    outcomes.labels("none", "suppressed")
    return outcomes
