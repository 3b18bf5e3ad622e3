"""A file's history as a person reads it: one line per happening, saying who did it.

Registration writes, for each change made through its API, an audit row (who did it: a
person) and an event (what happened), in one transaction: one correlation id, one time. Shown
apart, they read as two lines, one done by "registration", the other named by its code. They
are one happening, so they make one line: the event's name and the audit row's person.
The correlation id alone is not enough: it follows a change into the events that other
services answer with, hours later, and those were not done by that person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from xkld_portal.domain.audit_names import action_name
from xkld_portal.domain.labels import EVENTS, N_

# Who recorded an event no person is named for: another service, or an answer by message.
SYSTEMS = {
    "registration": N_("the system (files)"),
    "loans": N_("the system (bank loans)"),
    "notifications": N_("the system (messages)"),
    "outreach": N_("the system (outreach)"),
}


@dataclass(frozen=True)
class HistoryLine:
    at: str
    code: str  # the event type or audit action, shown when it has no label
    label: str | None  # a catalogue message
    who: str | None  # a person's username
    system: str | None  # else a catalogue message naming the service


def history_lines(timeline: Iterable[Mapping[str, Any]]) -> list[HistoryLine]:
    """Oldest first, as the timeline comes."""
    entries = list(timeline)
    people = {m: e.get("actor") for e in entries if (m := _moment(e)) and e.get("kind") == "audit"}
    told = {m for e in entries if (m := _moment(e)) and e.get("kind") == "event"}
    lines = []
    for entry in entries:
        moment = _moment(entry)
        if entry.get("kind") == "event":
            lines.append(_event_line(entry, people.get(moment) if moment else None))
        elif moment is None or moment not in told:
            lines.append(_audit_line(entry))
    return lines


def _moment(entry: Mapping[str, Any]) -> tuple[str, str] | None:
    """One transaction's mark: its correlation id and its time. Without an id, none."""
    correlation = entry.get("correlation_id")
    return None if not correlation else (str(correlation), str(entry.get("at")))


def _event_line(entry: Mapping[str, Any], person: str | None) -> HistoryLine:
    code = str(entry.get("type", ""))
    producer = str(entry.get("actor") or "")
    system = None if person else SYSTEMS.get(producer)
    return HistoryLine(str(entry.get("at") or ""), code, EVENTS.get(code), person, system)


def _audit_line(entry: Mapping[str, Any]) -> HistoryLine:
    code = str(entry.get("type", ""))
    person = entry.get("actor")
    return HistoryLine(
        str(entry.get("at") or ""), code, action_name("registration", code), person, None
    )
