"""Which event sends which template, and when: data (`data/sms_rules.json`), not code.

`plan` is pure: from an event's type and payload it lists the messages to queue, each with the
earliest moment it may go out. Quiet hours and the daily limit are applied later, by time.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator
from xkld_shared.clock import VIETNAM

from xkld_notifications.domain.templates import Template, TemplateProblem, check

ScheduleKind = Literal["on_date", "installments", "monthly", "months_after"]


class Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ScheduleKind
    field: str | None = None  # on_date, months_after: the date field
    days_before: int = Field(default=0, ge=0, le=60)
    first_field: str | None = None  # installments
    count_field: str | None = None  # installments
    start_field: str | None = None  # monthly
    count: int = Field(default=1, ge=1, le=120)  # monthly
    months: int = Field(default=1, ge=1, le=60)  # months_after


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: str
    template: str | None = None  # None: the rule only cancels
    schedule: Schedule | None = None
    cancels: tuple[str, ...] = ()  # pending messages of these templates no longer hold
    # "course": only those planned for the event's `course_id` (a trainee may be followed up
    # about several courses, and a record for one says nothing about the others).
    cancel_scope: Literal["person", "course"] = "person"

    @model_validator(mode="after")
    def _does_something(self) -> Rule:
        if self.template is None and (self.schedule is not None or not self.cancels):
            raise ValueError(f"rule for {self.event_type}: a template, or cancels alone")
        return self


class TemplateSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    version: int = Field(ge=1)
    text: str = Field(min_length=1, max_length=2000)
    max_segments: int = Field(default=2, ge=1, le=10)
    ucs2: bool = False
    urgent: bool = False
    urgent_field: str | None = None  # a boolean payload field that makes this one urgent


class QuietHours(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    start: dt.time = dt.time(21, 0)
    end: dt.time = dt.time(7, 0)
    zone: str = VIETNAM.key


class RulesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    templates: tuple[TemplateSpec, ...]
    rules: tuple[Rule, ...]
    send_time: dt.time = dt.time(8, 0)
    quiet_hours: QuietHours = QuietHours()


@dataclass(frozen=True)
class Planned:
    template: Template
    variables: dict[str, Any]
    not_before: dt.datetime
    key: str  # what makes the message id unique within one event, e.g. "repayment_due#3"
    urgent: bool = False
    course_id: uuid.UUID | None = None  # the course it is about, when the event names one


@dataclass(frozen=True)
class Rules:
    templates: Mapping[str, Template]
    specs: Mapping[str, TemplateSpec]
    by_event: Mapping[str, tuple[Rule, ...]]
    send_time: dt.time
    quiet_hours: QuietHours
    zone: ZoneInfo = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "zone", ZoneInfo(self.quiet_hours.zone))

    @property
    def event_types(self) -> frozenset[str]:
        return frozenset(self.by_event)

    def template(self, code: str) -> Template:
        return self.templates[code]


def parse_rules(raw: Mapping[str, Any]) -> Rules:
    """Validate everything at once: a bad rule or template stops the service at start."""
    data = RulesFile.model_validate(raw)
    templates = {spec.code: _checked_template(spec) for spec in data.templates}
    by_event = _rules_by_event(data.rules, templates)
    return Rules(
        templates=templates,
        specs={s.code: s for s in data.templates},
        by_event={k: tuple(v) for k, v in by_event.items()},
        send_time=data.send_time,
        quiet_hours=data.quiet_hours,
    )


def _checked_template(spec: TemplateSpec) -> Template:
    template = Template(spec.code, spec.version, spec.text, spec.max_segments, spec.ucs2)
    try:
        check(template)
    except TemplateProblem as exc:
        raise TemplateProblem(f"template {spec.code}: {exc}") from exc
    return template


def _rules_by_event(
    rules: tuple[Rule, ...], templates: Mapping[str, Template]
) -> dict[str, list[Rule]]:
    by_event: dict[str, list[Rule]] = {}
    for rule in rules:
        named = {rule.template} if rule.template else set()
        missing = {*named, *rule.cancels} - set(templates)
        if missing:
            raise TemplateProblem(f"rule for {rule.event_type} names unknown {sorted(missing)}")
        by_event.setdefault(rule.event_type, []).append(rule)
    return by_event


def load_rules() -> Rules:
    text = resources.files("xkld_notifications.data").joinpath("sms_rules.json").read_text("utf-8")
    return parse_rules(json.loads(text))


def _vn_date(value: Any) -> Any:
    return value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else value


def variables_of(payload: Mapping[str, Any], reference: str) -> dict[str, Any]:
    """Dates as Vietnamese write them (dd/mm/yyyy); everything else as it came."""
    return {"reference": reference, **{k: _vn_date(v) for k, v in payload.items()}}


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day of the month, clipped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return _clipped(year, month, day.day)


def _clipped(year: int, month: int, day: int) -> dt.date:
    for candidate in (day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def plan(
    rules: Rules, event_type: str, payload: Mapping[str, Any], reference: str, now: dt.datetime
) -> list[Planned]:
    """`payload` is the typed event's attributes (dates as `date`)."""
    planned: list[Planned] = []
    for rule in rules.by_event.get(event_type, ()):
        if rule.template is not None:
            planned += _plan_rule(rules, rule, rule.template, payload, reference, now)
    return planned


def _plan_rule(
    rules: Rules,
    rule: Rule,
    code: str,
    payload: Mapping[str, Any],
    reference: str,
    now: dt.datetime,
) -> list[Planned]:
    spec = rules.specs[code]
    template = rules.templates[code]
    urgent = spec.urgent or bool(spec.urgent_field and payload.get(spec.urgent_field))
    course_id = _course_of(payload)
    base = variables_of(payload, reference)
    planned: list[Planned] = []
    for key, extra, day in _occurrences(rule, code, payload, rules, now):
        at = now if day is None else _local(rules, day)
        planned.append(Planned(template, base | extra, max(at, now), key, urgent, course_id))
    return planned


def _course_of(payload: Mapping[str, Any]) -> uuid.UUID | None:
    course = payload.get("course_id")
    return course if isinstance(course, uuid.UUID) else None


def _local(rules: Rules, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, rules.send_time, tzinfo=rules.zone).astimezone(dt.UTC)


Occurrence = tuple[str, dict[str, Any], dt.date | None]


def _occurrences(
    rule: Rule, code: str, payload: Mapping[str, Any], rules: Rules, now: dt.datetime
) -> list[Occurrence]:
    s = rule.schedule
    if s is None:
        return [(code, {}, None)]
    today = now.astimezone(rules.zone).date()
    if s.kind == "on_date":
        return _on_date(s, code, payload, rules, now, today)
    if s.kind == "months_after":
        return _months_after(s, code, payload, today)
    if s.kind == "installments":
        return _installments(s, code, payload, today)
    return _monthly(s, code, payload)


def _on_date(
    s: Schedule,
    code: str,
    payload: Mapping[str, Any],
    rules: Rules,
    now: dt.datetime,
    today: dt.date,
) -> list[Occurrence]:
    day = payload.get(s.field or "")
    if not isinstance(day, dt.date) or day < today:
        return []  # no date yet, or already past: nothing to remind of
    remind_on = day - dt.timedelta(days=s.days_before)
    if s.days_before and _local(rules, remind_on) < now:
        # A reminder ahead of the day is moot once its moment has passed (the first
        # message gave the date); one on the day itself still helps later that day.
        return []
    return [(code, {}, remind_on)]


def _months_after(
    s: Schedule, code: str, payload: Mapping[str, Any], today: dt.date
) -> list[Occurrence]:
    start = payload.get(s.field or "")
    if not isinstance(start, dt.date):
        return []
    day = add_months(start, s.months)
    return [] if day < today else [(code, {}, day)]


def _installments(
    s: Schedule, code: str, payload: Mapping[str, Any], today: dt.date
) -> list[Occurrence]:
    first = payload.get(s.first_field or "")
    count = int(payload.get(s.count_field or "") or 0)
    if not isinstance(first, dt.date):
        return []
    out: list[Occurrence] = []
    for n in range(1, count + 1):
        due = add_months(first, n - 1)
        if due < today:
            continue
        extra = {"installment_no": n, "due_on": _vn_date(due)}
        out.append((f"{code}#{n}", extra, due - dt.timedelta(days=s.days_before)))
    return out


def _monthly(s: Schedule, code: str, payload: Mapping[str, Any]) -> list[Occurrence]:
    start = payload.get(s.start_field or "")
    if not isinstance(start, dt.date):
        return []
    return [
        (f"{code}#{n}", {"reminder_no": n}, add_months(start, n)) for n in range(1, s.count + 1)
    ]
