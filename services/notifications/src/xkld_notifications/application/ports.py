"""The SMS provider port: one send, three possible outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Accepted:
    provider_message_id: str


@dataclass(frozen=True)
class TransientFailure:
    """Worth retrying with the same request id: timeout, 5xx, 429, connection error."""

    reason: str


@dataclass(frozen=True)
class PermanentFailure:
    """Retrying cannot help: rejected number, bad credentials, 4xx."""

    reason: str


SendOutcome = Accepted | TransientFailure | PermanentFailure


class SmsProvider(Protocol):
    async def send(
        self, *, request_id: str, phone_e164: str, text: str, unicode: bool
    ) -> SendOutcome: ...


class PhoneOpener(Protocol):
    def open(self, phone_ciphertext: str) -> str: ...


class PhoneIndex(Protocol):
    """A keyed hash of an E.164 number: finds a contact by phone without plaintext at rest."""

    def of(self, phone_e164: str) -> bytes: ...


@dataclass(frozen=True)
class NoZaloAccount:
    """Zalo answered that the number has no Zalo account: only SMS can reach it."""

    reason: str = "zalo_no_account"


ZaloOutcome = Accepted | NoZaloAccount | TransientFailure | PermanentFailure


class ZaloProvider(Protocol):
    async def send(
        self, *, tracking_id: str, phone_e164: str, template_id: str, params: dict[str, str]
    ) -> ZaloOutcome: ...
