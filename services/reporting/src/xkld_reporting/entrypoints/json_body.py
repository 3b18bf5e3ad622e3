"""Report answers straight to JSON bytes: the reports are plain data, and FastAPI's generic
encoder costs more than the query for a province with 125 areas."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from typing import Any

from fastapi import Response

# Values json.dumps writes as they are (or through `_default`): returned untouched, checked by
# exact type first because a province's report has some 5 000 of them.
_LEAVES = frozenset({str, int, float, bool, type(None), Decimal, dt.date, dt.datetime})


def jsonable(value: Any) -> Any:
    kind = type(value)
    if kind in _LEAVES:
        return value
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # A dataclass instance's __dict__ holds its fields, in declaration order.
        return {k: jsonable(v) for k, v in vars(value).items()}
    return value


def _default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)  # "66.7": exact, as rounded, never a float
    raise TypeError(f"cannot encode {type(value).__name__}")


def json_response(value: Any) -> Response:
    body = json.dumps(jsonable(value), default=_default, ensure_ascii=False)
    return Response(body.encode(), media_type="application/json")
