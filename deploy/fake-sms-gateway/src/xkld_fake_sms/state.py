"""The gateway's in-memory state. One instance per app, guarded by one lock."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from . import faults
from .faults import ReportPlan, SendFault
from .models import (
    CallbackAttempt,
    DeliveryStatus,
    FaultConfig,
    RecordedMessage,
    ReportOutcome,
    Stats,
)
from .phone import normalize_phone


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A validated send, before it has an SMSID."""

    request_id: str
    phone: str
    phone_normalized: str
    content: str
    brandname: str | None
    sms_type: str
    is_unicode: bool
    sandbox: bool
    callback_url: str | None


@dataclass(frozen=True, slots=True)
class SendOutcome:
    sms_id: str
    duplicate: bool
    # Set only for a newly recorded message; a duplicate never reports twice.
    report: ReportPlan | None
    hide_behind_error: bool


ZNS = "zns"  # the sms_type of a message sent through the ZNS-shaped endpoint


class GatewayState:
    def __init__(self, seed: int | None = None) -> None:
        self._lock = asyncio.Lock()
        self._seed = seed
        self._faults = FaultConfig()
        self._rng = faults.new_rng(seed)
        self._messages: dict[str, RecordedMessage] = {}
        self._by_request_id: dict[str, str] = {}
        self._stats = Stats()

    async def note_request(self) -> None:
        async with self._lock:
            self._stats.received_requests += 1

    async def note_auth_failure(self) -> None:
        async with self._lock:
            self._stats.auth_failures += 1

    async def note_validation_failure(self) -> None:
        async with self._lock:
            self._stats.validation_failures += 1

    async def latency_seconds(self) -> float:
        async with self._lock:
            return self._faults.latency_ms / 1000

    async def take_send_fault(self) -> tuple[SendFault, FaultConfig]:
        """Consume one send-level fault; also return the config it came from."""
        async with self._lock:
            before = self._faults
            self._faults, fault = faults.take_send_fault(before, self._rng)
            if fault == "fail":
                self._stats.injected_failures += 1
            elif fault == "hang":
                self._stats.injected_timeouts += 1
            if fault != "none":
                self._stats.faults_injected += 1
            return fault, before

    async def record(self, new: NewMessage) -> SendOutcome:
        # Lookup and insert happen under one lock so two concurrent retries of
        # the same RequestId cannot both create a message.
        # ZNS tracking ids and SMS request ids are separate spaces, as at two providers.
        key = f"zns:{new.request_id}" if new.sms_type == ZNS else new.request_id
        async with self._lock:
            existing = self._by_request_id.get(key)
            if existing is not None:
                self._stats.duplicate_requests += 1
                return SendOutcome(existing, True, None, self._take_after_record())
            message = _to_message(new)
            self._faults, plan = faults.take_report_plan(
                self._faults, self._rng, wants_report=new.callback_url is not None
            )
            if new.callback_url is not None:
                message.report = "dropped" if plan.dropped else "pending"
                self._stats.reports_dropped += int(plan.dropped)
                self._stats.reports_duplicated += int(plan.duplicated)
                self._stats.reports_early += int(plan.early)
            self._messages[message.sms_id] = message
            self._by_request_id[key] = message.sms_id
            self._stats.recorded_messages += 1
            return SendOutcome(message.sms_id, False, plan, self._take_after_record())

    def _take_after_record(self) -> bool:
        self._faults, hide = faults.take_after_record_fault(self._faults)
        if hide:
            self._stats.injected_failures_after_record += 1
            self._stats.faults_injected += 1
        return hide

    async def mark_delivery(self, sms_id: str, status: DeliveryStatus) -> None:
        async with self._lock:
            if (message := self._messages.get(sms_id)) is not None:
                message.delivery_status = status

    async def add_callback_attempt(self, sms_id: str, attempt: CallbackAttempt) -> None:
        async with self._lock:
            self._stats.callbacks_attempted += 1
            if attempt.ok:
                self._stats.callbacks_succeeded += 1
            else:
                self._stats.callbacks_failed += 1
            if (message := self._messages.get(sms_id)) is not None:
                message.callback_attempts.append(attempt)

    async def finish_report(self, sms_id: str, outcome: ReportOutcome) -> None:
        async with self._lock:
            if outcome == "gave_up":
                self._stats.reports_given_up += 1
            if (message := self._messages.get(sms_id)) is not None:
                message.report = outcome

    async def note_no_zalo(self) -> None:
        async with self._lock:
            self._stats.zalo_no_account += 1

    async def get_faults(self) -> FaultConfig:
        async with self._lock:
            return self._faults

    async def set_faults(self, config: FaultConfig) -> None:
        async with self._lock:
            self._faults = config
            # Reseed on every PUT so "same config, same seed" replays the same
            # sequence of random faults.
            self._rng = faults.new_rng(config.seed if config.seed is not None else self._seed)

    async def reset_faults(self) -> None:
        await self.set_faults(FaultConfig())

    async def list_messages(
        self, phone: str | None = None, request_id: str | None = None
    ) -> list[RecordedMessage]:
        wanted_phone = (normalize_phone(phone) or phone) if phone is not None else None
        async with self._lock:
            return [
                message.model_copy(deep=True)
                for message in self._messages.values()
                if (wanted_phone is None or message.phone_normalized == wanted_phone)
                and (request_id is None or message.request_id == request_id)
            ]

    async def stats(self) -> Stats:
        async with self._lock:
            return self._stats.model_copy()

    async def clear(self) -> None:
        async with self._lock:
            self._messages.clear()
            self._by_request_id.clear()
            self._stats = Stats()


def _to_message(new: NewMessage) -> RecordedMessage:
    return RecordedMessage(
        sms_id=str(uuid.uuid4()),
        request_id=new.request_id,
        phone=new.phone,
        phone_normalized=new.phone_normalized,
        content=new.content,
        brandname=new.brandname,
        sms_type=new.sms_type,
        is_unicode=new.is_unicode,
        sandbox=new.sandbox,
        callback_url=new.callback_url,
        received_at=datetime.now(UTC),
    )
