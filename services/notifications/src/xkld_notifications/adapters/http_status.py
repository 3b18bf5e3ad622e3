"""The part of a provider's answer that every provider shares: its HTTP status."""

from __future__ import annotations

from xkld_notifications.adapters.http_post import Answer
from xkld_notifications.application.ports import PermanentFailure, TransientFailure


def status_outcome(response: Answer) -> TransientFailure | PermanentFailure | None:
    """A failure told by the status code alone; None when the body decides."""
    if response.status_code >= 500 or response.status_code == 429:
        return TransientFailure(f"http {response.status_code}")
    if response.status_code >= 400:
        return PermanentFailure(f"http {response.status_code}")
    return None
