"""A campaign's funnel: reached -> interested -> registered -> departed, in total and per
priority group. Pure.

- reached: a broadcast to them was delivered (on either channel), or they attended one of the
  campaign's meetings;
- interested: reached, and marked interested at a meeting or said in the survey that they want
  to work abroad (a wish to train is not counted: the funnel leads to a labour-export file);
- registered: reached, and converted into a registration;
- departed: registered, and the registration's worker departed.
A later stage implies the earlier ones (a person who registered counts as interested even if
nobody marked them so), so each stage is a subset of the one before. A person counts once in
each of their priority groups. Walk-ins at meetings are anonymous: they add to the total's
reached only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

STAGES = ("reached", "interested", "registered", "departed")


@dataclass(frozen=True)
class Person:
    priority_groups: frozenset[str]
    delivered: bool = False
    attended: bool = False
    marked_interested: bool = False
    wants_abroad: bool = False
    registered: bool = False
    departed: bool = False


def stages_of(p: Person) -> tuple[bool, bool, bool, bool]:
    reached = p.delivered or p.attended
    departed = reached and p.registered and p.departed
    registered = reached and p.registered
    interested = reached and (p.marked_interested or p.wants_abroad or registered)
    return reached, interested, registered, departed


@dataclass(frozen=True)
class Funnel:
    total: dict[str, int]
    by_priority_group: dict[str, dict[str, int]]
    walk_ins: int


def funnel(people: Iterable[Person], walk_ins: int = 0) -> Funnel:
    total = dict.fromkeys(STAGES, 0)
    groups: dict[str, dict[str, int]] = {}
    for p in people:
        _count(p, total, groups)
    total["reached"] += walk_ins
    return Funnel(total, dict(sorted(groups.items())), walk_ins)


def _count(p: Person, total: dict[str, int], groups: dict[str, dict[str, int]]) -> None:
    """The stages the person reached, in the totals and in each of their priority groups."""
    for stage, hit in zip(STAGES, stages_of(p), strict=True):
        if not hit:
            continue
        total[stage] += 1
        for g in p.priority_groups:
            groups.setdefault(g, dict.fromkeys(STAGES, 0))[stage] += 1
