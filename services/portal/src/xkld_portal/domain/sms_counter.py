"""What the SMS counter shows as an officer types: the encoding, characters left in the current
segment, and segments in the message, from the notifications service's preview.

The GSM-7 alphabet is repeated here (the notifications service has its own copy) only to tell
the officer, before they choose, that the text has characters GSM-7 lacks: Vietnamese
diacritics force UCS-2 (70 characters a segment, 67 per part of a longer message)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, TemplateSyntaxError, meta

_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")
# (single message, each part of a longer one)
LIMITS = {"gsm7": (160, 153), "ucs2": (70, 67)}
MAX_SEGMENTS = 10  # what the preview accepts; the template's own limit is checked here
_PARSER = Environment(autoescape=True)  # only parsed, to find the variables
_PARSER.filters["vnd"] = str  # the service's own filter: known, so the text parses


def needs_ucs2(text: str) -> bool:
    """True when the text as typed has a character GSM-7 lacks (a diacritic, an emoji)."""
    return any(ch not in _GSM7_BASIC and ch not in _GSM7_EXTENDED for ch in text)


def sample_variables(text: str) -> dict[str, Any]:
    """Stand-ins for a template's variables, so its length can be counted while editing:
    a date for `*_on`, an amount for `*_vnd`, a number for counts, a short code otherwise."""
    try:
        names = meta.find_undeclared_variables(_PARSER.parse(text))
    except TemplateSyntaxError:
        return {}
    return {name: _sample(name) for name in sorted(names)}


def _sample(name: str) -> Any:
    if name.endswith("_on"):
        return "05/01/2027"
    if name.endswith("_vnd"):
        return 90_000_000
    if name.endswith(("_no", "_months")):
        return 12
    return "AB-12345"


def _length(text: str, encoding: str) -> int:
    if encoding == "gsm7":
        return sum(2 if ch in _GSM7_EXTENDED else 1 for ch in text)
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Count:
    encoding: str  # gsm7 or ucs2
    length: int  # septets in GSM-7, UTF-16 units in UCS-2
    segments: int
    left: int  # characters left before another segment is needed
    max_segments: int
    text: str  # as it will be sent (diacritics removed in GSM-7)

    @property
    def too_long(self) -> bool:
        return self.segments > self.max_segments

    @property
    def per_segment(self) -> int:
        single, multi = LIMITS[self.encoding]
        return single if self.segments <= 1 else multi


def count_of(preview: dict[str, Any], max_segments: int) -> Count:
    """The preview's answer, with what is left in the current segment."""
    encoding = "ucs2" if preview.get("encoding") == "ucs2" else "gsm7"
    text = str(preview.get("text", ""))
    length = _length(text, encoding)
    segments = int(preview.get("segments", 1))
    single, multi = LIMITS[encoding]
    room = single if segments <= 1 else segments * multi
    return Count(encoding, length, segments, max(room - length, 0), max_segments, text)
