"""What the idempotent commands (disbursement, repayment, restructuring, pool allocation)
share: the request body their idempotency record keeps and compares retries with."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any


def request_of(command: Any) -> dict[str, Any]:
    """A command's fields, in order, ready for JSON: ids and dates as text."""
    return {name: _as_text(value) for name, value in dataclasses.asdict(command).items()}


def _as_text(value: object) -> object:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
