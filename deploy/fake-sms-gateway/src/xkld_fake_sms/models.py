"""Pydantic models for the wire formats and the recorded state."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

DeliveryStatus = Literal["pending", "delivered", "failed"]
ReportOutcome = Literal["not_requested", "pending", "dropped", "succeeded", "gave_up"]


class SendRequest(BaseModel):
    """The eSMS ``SendMultipleMessage_V4_post_json`` body.

    Every field is optional here so that a missing field becomes an eSMS-style
    ``CodeResult`` answer instead of FastAPI's 422: the adapter under test must
    handle the provider's own error format.
    """

    # eSMS clients send numbers as JSON numbers as often as strings.
    model_config = ConfigDict(coerce_numbers_to_str=True, extra="ignore")

    ApiKey: str | None = None
    SecretKey: str | None = None
    Content: str | None = None
    Phone: str | None = None
    Brandname: str | None = None
    SmsType: str | None = None
    IsUnicode: str | None = None
    Sandbox: str | None = None
    RequestId: str | None = None
    CallbackUrl: str | None = None


class FaultConfig(BaseModel):
    """Runtime fault injection. ``PUT`` replaces the whole config."""

    # Forbid unknown keys so a typo such as ``fail_nxt`` is a 422, not a test that
    # silently exercises nothing.
    model_config = ConfigDict(extra="forbid")

    latency_ms: int = Field(default=0, ge=0, le=600_000)
    fail_next: int = Field(default=0, ge=0)
    fail_status: int = Field(default=503, ge=400, le=599)
    fail_after_record_next: int = Field(default=0, ge=0)
    timeout_next: int = Field(default=0, ge=0)
    hang_seconds: float = Field(default=30.0, gt=0, le=3600)
    error_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    timeout_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    drop_report_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    drop_next_reports: int = Field(default=0, ge=0)
    duplicate_next_reports: int = Field(default=0, ge=0)
    duplicate_report_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    # The report is POSTed (and answered) before the send request gets its own response.
    early_next_reports: int = Field(default=0, ge=0)
    early_report_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    report_status: Literal["delivered", "failed"] = "delivered"
    failed_report_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    seed: int | None = None
    # The ZNS side (Zalo's notification service). Zalo posts delivery callbacks to the OA's
    # webhook, set once, not per message: here, set with the faults.
    zalo_callback_url: str | None = None
    # Numbers (any form) that have no Zalo account, and a rule: numbers ending in one of
    # these digits have none either. ZNS answers them error -118.
    zalo_no_account_phones: list[str] = Field(default_factory=list)
    zalo_no_account_last_digits: str = Field(default="", pattern=r"^[0-9]*$")

    @model_validator(mode="after")
    def _rates_share_one_draw(self) -> Self:
        # error_rate and timeout_rate are carved out of the same random draw.
        if self.error_rate + self.timeout_rate > 1.0:
            raise ValueError("error_rate + timeout_rate must not exceed 1")
        return self


class CallbackAttempt(BaseModel):
    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    ok: bool


class RecordedMessage(BaseModel):
    sms_id: str
    request_id: str
    phone: str
    phone_normalized: str
    content: str
    brandname: str | None
    sms_type: str
    is_unicode: bool
    sandbox: bool
    callback_url: str | None
    received_at: datetime
    delivery_status: DeliveryStatus = "pending"
    report: ReportOutcome = "not_requested"
    callback_attempts: list[CallbackAttempt] = Field(default_factory=list)


class Stats(BaseModel):
    received_requests: int = 0
    recorded_messages: int = 0
    duplicate_requests: int = 0
    auth_failures: int = 0
    validation_failures: int = 0
    faults_injected: int = 0
    injected_failures: int = 0
    injected_timeouts: int = 0
    injected_failures_after_record: int = 0
    reports_dropped: int = 0
    reports_duplicated: int = 0
    reports_early: int = 0
    callbacks_attempted: int = 0
    callbacks_succeeded: int = 0
    callbacks_failed: int = 0
    reports_given_up: int = 0
    zalo_no_account: int = 0
