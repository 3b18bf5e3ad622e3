"""Vietnamese SMS templates: Jinja2's sandbox, loud on a missing variable, GSM-7 by default.

A template is checked when it is saved (loaded): its fixed text, converted as it will be sent,
must fit the encoding; a variable can still bring a character GSM-7 lacks, and that is refused
when the message is rendered, never sent as garbage.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateError, UndefinedError, nodes
from jinja2 import Template as Compiled
from jinja2.sandbox import SandboxedEnvironment

from xkld_notifications.domain.sms_text import (
    Encoding,
    non_gsm7_characters,
    segment_count,
    unaccent,
)


def _vnd(amount: object) -> str:
    """90000000 -> 90.000.000: the way amounts are written in Vietnam (money is integer VND)."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TemplateProblem("vnd expects an integer amount")
    return f"{amount:,}".replace(",", ".")


_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
_ENV.filters["vnd"] = _vnd


class TemplateProblem(ValueError):
    """A template that cannot be saved or a message that cannot be rendered, with the why."""


@dataclass(frozen=True)
class Template:
    code: str
    version: int
    text: str
    max_segments: int = 2
    ucs2: bool = False  # send accented (UCS-2) instead of unaccented GSM-7
    urgent: bool = False  # exempt from the per-recipient daily limit


@dataclass(frozen=True)
class Rendered:
    text: str
    encoding: Encoding
    segments: int


def _convert(text: str, ucs2: bool) -> tuple[str, Encoding]:
    if ucs2:
        return text, Encoding.UCS2
    converted = unaccent(text)
    bad = non_gsm7_characters(converted)
    if bad:
        chars = " ".join(sorted(repr(ch) for ch in bad))
        raise TemplateProblem(f"characters outside GSM-7 after conversion: {chars}")
    return converted, Encoding.GSM7


def check(template: Template) -> None:
    """What saving a template runs: it parses, and its fixed text fits its encoding."""
    if template.version < 1 or template.max_segments < 1:
        raise TemplateProblem("version and max_segments must be at least 1")
    _convert(_fixed_text(template.text), template.ucs2)


def _fixed_text(text: str) -> str:
    """The template's own words, without its variables; a syntax error is a problem."""
    try:
        parsed = _ENV.parse(text)
    except TemplateError as exc:
        raise TemplateProblem(f"template syntax: {exc}") from exc
    return "".join(node.data for node in parsed.find_all(nodes.TemplateData))


@functools.lru_cache(maxsize=512)
def _compiled(text: str) -> Compiled:
    """Compiling is most of a render's cost, and a message is rendered from one of a few dozen
    texts: under load the consumer compiled the same text for every message."""
    return _ENV.from_string(text)


def render(template: Template, variables: dict[str, Any]) -> Rendered:
    try:
        raw = _compiled(template.text).render(**variables)
    except UndefinedError as exc:
        raise TemplateProblem(f"missing variable: {exc.message}") from exc
    except TemplateError as exc:
        raise TemplateProblem(f"cannot render: {exc}") from exc
    text, encoding = _convert(" ".join(raw.split()), template.ucs2)
    if template.ucs2 and not text:
        raise TemplateProblem("empty message")
    segments = segment_count(text) if encoding is Encoding.GSM7 else _ucs2_segments(text)
    if segments > template.max_segments:
        raise TemplateProblem(f"{segments} segments, more than the {template.max_segments} allowed")
    return Rendered(text, encoding, segments)


def _ucs2_segments(text: str) -> int:
    # A UCS-2 template that happens to be plain ASCII is still sent (and billed) as UCS-2.
    length = len(text.encode("utf-16-le")) // 2
    return 1 if length <= 70 else -(-length // 67)
