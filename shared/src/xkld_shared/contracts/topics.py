"""Kafka topics: one per aggregate stream, keyed by registration id (outreach: by household
or survey round)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Stream(StrEnum):
    REGISTRATION = "registration"
    LOAN = "loan"
    NOTIFICATION = "notification"
    # The labour-demand survey and outreach: keyed by household or survey round, not by file.
    OUTREACH = "outreach"


DLQ_SUFFIX = ".dlq"
# A stream topic is the record every projection and every late consumer is rebuilt from: it
# keeps its whole history (no time or size limit), whatever the broker's default. A consumer
# stopped longer than a retention would otherwise lose events, and a rebuild would lose years.
STREAM_CONFIG = (("retention.ms", "-1"), ("retention.bytes", "-1"))
# A dead-letter topic keeps its poison 30 days, time enough to fix and replay it.
DLQ_CONFIG = (("retention.ms", "2592000000"),)


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    config: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Topics:
    """Topic names, optionally prefixed so that test runs never share a topic."""

    prefix: str = ""

    def of(self, stream: Stream) -> str:
        return f"{self.prefix}xkld.{stream.value}"

    def dlq_of(self, stream: Stream) -> str:
        return self.of(stream) + DLQ_SUFFIX

    def all_specs(self, partitions: int) -> list[TopicSpec]:
        specs: list[TopicSpec] = []
        for stream in Stream:
            specs.append(TopicSpec(self.of(stream), partitions, STREAM_CONFIG))
            # A dead-letter topic needs no parallelism.
            specs.append(TopicSpec(self.dlq_of(stream), 1, DLQ_CONFIG))
        return specs
