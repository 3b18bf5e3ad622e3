"""Request models that do not guess: a value of the wrong JSON type is refused, not converted.

Pydantic's lax mode turns `0` into the date 1970-01-01, `0` or `"yes"` into `false` or `true`,
`1.0` and `"100"` into the integer 100. Each of these changes what the sender meant: a consent
given by accident, an amount of money read from a string. Pydantic's own strict mode cannot be
switched on for a whole model here, because FastAPI validates the already-decoded JSON in Python
mode, where strict refuses the ISO strings that carry dates and UUIDs.

So `RequestModel` checks, before pydantic converts anything, that the raw value of every `bool`,
`int` and `date` field has the JSON type that field means, and that it lies in a range the
database and the calendar arithmetic can hold. Every request body model derives from it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import types
import typing
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

BIGINT_MAX = 2**63 - 1
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2199, 12, 31)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# Error types, translated in `xkld_shared.http.errors`.
NOT_BOOL = "strict_bool"
NOT_INT = "strict_int"
NOT_ISO_DATE = "strict_date"
OUT_OF_RANGE = "out_of_range"
DATE_OUT_OF_RANGE = "date_out_of_range"


def _kinds(annotation: Any) -> set[type]:
    """The scalar types among bool, int and date that a field accepts (Optional, Annotated and
    unions unwrapped; containers are left to pydantic)."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _kinds(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return set().union(*(_kinds(arg) for arg in typing.get_args(annotation)))
    if annotation in (bool, int, dt.date):
        return {annotation}
    return set()


def checked_bool(value: Any) -> Any:
    if not isinstance(value, bool):
        raise PydanticCustomError(NOT_BOOL, "must be true or false")
    return value


def checked_int(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError(NOT_INT, "must be a whole number")
    if abs(value) > BIGINT_MAX:
        raise PydanticCustomError(OUT_OF_RANGE, "out of range")
    return value


def checked_date(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    elif isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError(NOT_ISO_DATE, "must be a date YYYY-MM-DD") from None
    else:
        raise PydanticCustomError(NOT_ISO_DATE, "must be a date YYYY-MM-DD")
    if not FIRST_DATE <= day <= LAST_DATE:
        raise PydanticCustomError(DATE_OUT_OF_RANGE, "out of range")
    return value


def _checked(value: Any, kinds: frozenset[type]) -> Any:
    if value is None or not kinds:
        return value
    if bool in kinds and isinstance(value, bool):
        return value
    if int in kinds and isinstance(value, int) and not isinstance(value, bool):
        return checked_int(value)
    if dt.date in kinds and kinds <= {dt.date}:
        return checked_date(value)
    if kinds == {bool}:
        return checked_bool(value)
    if int in kinds and dt.date not in kinds:
        return checked_int(value)
    return value


class RequestModel(BaseModel):
    """Base of request bodies: unknown fields refused, no meaning-changing coercion."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _exact_json_types(cls, value: Any, info: ValidationInfo) -> Any:
        if info.field_name is None:
            return value
        return _checked(value, _field_kinds(cls, info.field_name))


@functools.cache
def _field_kinds(model: type[BaseModel], name: str) -> frozenset[type]:
    """A field's kinds, worked out once per model and field: every request asked again, and
    unwrapping the annotation cost more than the check itself."""
    return frozenset(_kinds(model.model_fields[name].annotation))


# For query parameters and fields that are not in a `RequestModel`.
IsoDate = Annotated[dt.date, BeforeValidator(checked_date)]
StrictBool = Annotated[bool, BeforeValidator(checked_bool)]
