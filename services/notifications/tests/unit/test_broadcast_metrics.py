"""Campaign figures per channel follow the BroadcastRecipientSettled events the relay
publishes, and SMS sent as a fallback from Zalo are counted apart."""

from __future__ import annotations

import json
from typing import Any, cast

import asyncpg
from prometheus_client.parser import text_string_to_metric_families
from xkld_notifications.entrypoints.metrics import add_broadcast_metrics
from xkld_shared.metrics import ServiceMetrics


def _settled(outcome: str, channel: str | None, fell_back: bool = False) -> asyncpg.Record:
    payload: dict[str, Any] = {"outcome": outcome, "channel": channel, "fell_back": fell_back}
    envelope = {"event_type": "BroadcastRecipientSettled", "payload": payload}
    row = {
        "topic": "xkld.notification",
        "event_type": "BroadcastRecipientSettled",
        "envelope": json.dumps(envelope).encode(),
    }
    return cast(asyncpg.Record, row)


async def _values(metrics: ServiceMetrics) -> dict[str, float]:
    text = (await metrics.exposition()).decode()
    return {
        s.name + "".join(f"{k}={v}," for k, v in sorted(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name.startswith("xkld_broadcast_") and s.name.endswith("_total")
    }


async def test_broadcast_outcomes_are_counted_per_channel_and_fallbacks_apart() -> None:
    metrics = ServiceMetrics("notifications")
    add_broadcast_metrics(metrics)
    before = await _values(metrics)
    assert before["xkld_broadcast_messages_totalchannel=zalo,outcome=delivered,"] == 0
    metrics.published(
        [
            _settled("sent", "zalo"),
            _settled("delivered", "zalo"),
            _settled("sent", "sms", fell_back=True),
            _settled("sent", "sms"),
            _settled("failed", "sms", fell_back=True),
            _settled("suppressed", None),
        ],
        0.01,
    )
    after = await _values(metrics)
    assert after["xkld_broadcast_messages_totalchannel=zalo,outcome=sent,"] == 1
    assert after["xkld_broadcast_messages_totalchannel=zalo,outcome=delivered,"] == 1
    assert after["xkld_broadcast_messages_totalchannel=sms,outcome=sent,"] == 2
    assert after["xkld_broadcast_messages_totalchannel=sms,outcome=failed,"] == 1
    assert after["xkld_broadcast_messages_totalchannel=none,outcome=suppressed,"] == 1
    assert after["xkld_broadcast_fallbacks_total"] == 1
