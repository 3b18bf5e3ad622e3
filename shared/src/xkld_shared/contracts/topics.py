"""Kafka topics: one per aggregate stream, keyed by registration id."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Stream(StrEnum):
    REGISTRATION = "registration"
    LOAN = "loan"
    NOTIFICATION = "notification"


DLQ_SUFFIX = ".dlq"


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
            specs.append(TopicSpec(self.of(stream), partitions))
            # A dead-letter topic needs no parallelism and must keep its poison for a long time.
            specs.append(TopicSpec(self.dlq_of(stream), 1, (("retention.ms", "2592000000"),)))
        return specs
