"""Watching consumer groups rebalance, from the broker's side (`DescribeGroups`).

A change of membership (a replica stopped, killed or started) is timed from the signal to the
moment every group of that service is `Stable` again with the expected number of members and
every partition of its topic assigned to one of them: from then on it consumes again. The time
at which the broker first shows the change (a rebalance begun, or a member gone) is kept apart,
because after a SIGKILL the broker only notices when the member's session times out."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment
from aiokafka.errors import KafkaError

# Each service's consumer groups (docs/operations.md, "Kafka offset reset").
GROUPS = {
    "registration": ("registration.loan",),
    "loans": ("loans.registration",),
    "notifications": ("notifications.registration", "notifications.loan"),
    "reporting": ("reporting.registration", "reporting.loan", "reporting.notification"),
}


@dataclass(frozen=True)
class GroupView:
    state: str
    members: int
    assigned: int  # partitions of the namespace's topics held by some member

    def settled(self, members: int, partitions: int) -> bool:
        return self.state == "Stable" and self.members == members and self.assigned == partitions


@dataclass(frozen=True)
class Rebalance:
    service: str
    action: str  # sigterm | sigkill | start
    members: int  # live replicas afterwards
    seen: float  # seconds from the signal until the broker showed the change
    settled: float  # seconds from the signal until every group was stable and fully assigned

    @property
    def rebalance(self) -> float:
        """From the broker noticing the change to consuming again."""
        return self.settled - self.seen

    def line(self) -> str:
        return (
            f"{self.service:<13} {self.action:<7} -> {self.members} members: noticed"
            f" {self.seen:5.1f}s, stable and assigned {self.settled:5.1f}s"
            f" (rebalance {self.rebalance:4.1f}s)"
        )


async def views(
    admin: AIOKafkaAdminClient, groups: tuple[str, ...], prefix: str
) -> list[GroupView]:
    # One group per request: aiokafka fails to decode a response describing several groups
    # at once (a KafkaConnectionError after "Buffer underrun decoding string").
    found = []
    for group in sorted(groups):
        responses = await admin.describe_consumer_groups([group])
        found += [g for r in responses for g in r.to_object()["groups"]]
    return [_view(g, prefix) for g in found]


def _view(group: dict[str, Any], prefix: str) -> GroupView:
    assigned = 0
    for member in group["members"]:
        raw = member["member_assignment"]
        if not raw:
            continue  # a member that joined and has no assignment yet
        decoded = ConsumerProtocolMemberAssignment.decode(raw)
        assigned += sum(len(p) for t, p in decoded.assignment if str(t).startswith(prefix))
    return GroupView(str(group["state"]), len(group["members"]), assigned)


async def watch(
    admin: AIOKafkaAdminClient,
    service: str,
    prefix: str,
    before: list[GroupView],
    expected: tuple[int, int],
    signal_at: float,
    timeout: float,
) -> tuple[float, float]:
    """Polls the service's groups from `signal_at` (loop time) until each holds `expected`
    (members, partitions) and is stable. Returns (seen, settled) in seconds after the signal:
    seen is when the broker first showed something other than `before` (the groups as they
    were just before the signal). A group that does not settle within `timeout` is a hang."""
    loop = asyncio.get_running_loop()
    groups = GROUPS[service]
    members, partitions = expected
    seen: float | None = None
    now: list[GroupView] = []
    while loop.time() - signal_at < timeout:
        try:
            now = await views(admin, groups, prefix)
        except KafkaError:  # a broker busy or reconnecting: ask again
            await asyncio.sleep(0.5)
            continue
        moment = loop.time() - signal_at
        if seen is None and _differs(now, before):
            seen = moment
        if len(now) == len(groups) and all(v.settled(members, partitions) for v in now):
            return (seen if seen is not None else moment), moment
        await asyncio.sleep(0.2)
    raise AssertionError(f"{service}: groups {groups} not settled in {timeout}s: {now}")


def _differs(now: list[GroupView], before: list[GroupView]) -> bool:
    if any(v.state != "Stable" for v in now):
        return True
    return [v.members for v in now] != [v.members for v in before]
