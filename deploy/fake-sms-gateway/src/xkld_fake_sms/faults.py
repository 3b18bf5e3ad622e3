"""Pure fault decisions: take the current config, return the next one and a verdict.

Kept free of I/O and locking so the precedence rules live in one readable place;
``GatewayState`` applies them atomically.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from .models import DeliveryStatus, FaultConfig

SendFault = Literal["none", "fail", "hang"]


@dataclass(frozen=True, slots=True)
class ReportPlan:
    status: DeliveryStatus
    dropped: bool
    duplicated: bool = False  # the callback is sent twice, as a retrying provider may
    early: bool = False  # the callback goes out before the send's own response


def take_send_fault(config: FaultConfig, rng: random.Random) -> tuple[FaultConfig, SendFault]:
    """Decide what happens to a send before it is processed.

    Deterministic counters win over random rates so a test that sets
    ``fail_next`` is not perturbed by a demo-level ``error_rate``.
    """
    if config.fail_next > 0:
        return config.model_copy(update={"fail_next": config.fail_next - 1}), "fail"
    if config.timeout_next > 0:
        return config.model_copy(update={"timeout_next": config.timeout_next - 1}), "hang"
    if config.error_rate > 0 or config.timeout_rate > 0:
        draw = rng.random()
        if draw < config.error_rate:
            return config, "fail"
        if draw < config.error_rate + config.timeout_rate:
            return config, "hang"
    return config, "none"


def take_after_record_fault(config: FaultConfig) -> tuple[FaultConfig, bool]:
    """Whether to hide a processed send behind an error response."""
    if config.fail_after_record_next > 0:
        remaining = config.fail_after_record_next - 1
        return config.model_copy(update={"fail_after_record_next": remaining}), True
    return config, False


def take_report_plan(
    config: FaultConfig, rng: random.Random, *, wants_report: bool
) -> tuple[FaultConfig, ReportPlan]:
    """Decide the delivery outcome and whether its report gets lost."""
    status: DeliveryStatus = config.report_status
    if status == "delivered" and config.failed_report_rate > 0:
        status = "failed" if rng.random() < config.failed_report_rate else "delivered"
    # Only messages that asked for a report consume drop counters; otherwise
    # ``drop_next_reports`` would be silently eaten by callback-less sends.
    if not wants_report:
        return config, ReportPlan(status=status, dropped=False)
    config, dropped = _take(config, rng, "drop_next_reports", config.drop_report_rate)
    if dropped:
        return config, ReportPlan(status=status, dropped=True)
    config, duplicated = _take(config, rng, "duplicate_next_reports", config.duplicate_report_rate)
    config, early = _take(config, rng, "early_next_reports", config.early_report_rate)
    return config, ReportPlan(status=status, dropped=False, duplicated=duplicated, early=early)


def _take(
    config: FaultConfig, rng: random.Random, counter: str, rate: float
) -> tuple[FaultConfig, bool]:
    """A counted fault first (deterministic), else one random draw at `rate`."""
    remaining: int = getattr(config, counter)
    if remaining > 0:
        return config.model_copy(update={counter: remaining - 1}), True
    return config, rate > 0 and rng.random() < rate


def new_rng(seed: int | None) -> random.Random:
    # Fault dice, not cryptography: a seedable PRNG is what makes demos repeatable.
    return random.Random(seed)  # noqa: S311
