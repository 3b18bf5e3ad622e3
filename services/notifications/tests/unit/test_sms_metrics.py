"""SMS figures follow the notification events the relay publishes."""

from __future__ import annotations

import json
from typing import Any, cast

import asyncpg
from prometheus_client.parser import text_string_to_metric_families
from xkld_notifications.entrypoints.metrics import add_sms_metrics
from xkld_shared.metrics import ServiceMetrics


def _row(event_type: str, payload: dict[str, Any]) -> asyncpg.Record:
    envelope = {"event_type": event_type, "payload": payload}
    row = {
        "topic": "xkld.notification",
        "event_type": event_type,
        "envelope": json.dumps(envelope).encode(),
    }
    return cast(asyncpg.Record, row)


async def _values(metrics: ServiceMetrics) -> dict[str, float]:
    text = (await metrics.exposition()).decode()
    return {
        f"{s.name}{s.labels.get('outcome', '')}": s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name.startswith("xkld_sms_") and s.name.endswith("_total")
    }


async def test_sent_delivered_failed_and_suppressed_messages_and_segments_are_counted() -> None:
    metrics = ServiceMetrics("notifications")
    add_sms_metrics(metrics)
    before = await _values(metrics)
    assert before["xkld_sms_messages_totalfailed"] == 0  # readable before the first event
    metrics.published(
        [
            _row("NotificationSent", {"segments": 2}),
            _row("NotificationSent", {"segments": 1}),
            _row("NotificationDelivered", {}),
            _row("NotificationFailed", {}),
            _row("NotificationSuppressed", {}),
            _row("NotificationSuppressed", {}),
        ],
        0.01,
    )
    after = await _values(metrics)
    assert after["xkld_sms_messages_totalsent"] == 2
    assert after["xkld_sms_messages_totaldelivered"] == 1
    assert after["xkld_sms_messages_totalfailed"] == 1
    assert after["xkld_sms_messages_totalsuppressed"] == 2
    assert after["xkld_sms_segments_total"] == 3
