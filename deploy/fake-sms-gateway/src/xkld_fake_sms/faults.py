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
    if config.drop_next_reports > 0:
        remaining = config.drop_next_reports - 1
        updated = config.model_copy(update={"drop_next_reports": remaining})
        return updated, ReportPlan(status=status, dropped=True)
    dropped = config.drop_report_rate > 0 and rng.random() < config.drop_report_rate
    return config, ReportPlan(status=status, dropped=dropped)


def new_rng(seed: int | None) -> random.Random:
    # Fault dice, not cryptography: a seedable PRNG is what makes demos repeatable.
    return random.Random(seed)  # noqa: S311
