"""A checked submission ready to write, the answers it may get, and how one group commit's
batch decides each file in turn."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from xkld_shared import idempotency
from xkld_shared.audit import Change, ChangeContext
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.errors import AppError

from xkld_registration.application.ports import GivenConsents, Row
from xkld_registration.domain.registration import (
    DuplicateActiveRegistration,
    Registration,
    audit_view,
)

Outcome = idempotency.Answer | AppError


def created_body(registration: Registration) -> dict[str, Any]:
    """The answer to a successful submission (also what an idempotent retry gets back)."""
    return {
        "registration_id": str(registration.id),
        "status": registration.status.value,
        "commune_code": registration.commune_code,
        "commune_code_entered": registration.commune_code_entered,
        "submitted_on": registration.submitted_on.isoformat(),
    }


def already_made(file: Mapping[str, Any]) -> idempotency.Answer:
    """The answer to converting a survey respondent whose file exists: that file, with 200."""
    return idempotency.Answer(
        200,
        {
            "registration_id": str(file["registration_id"]),
            "status": file["status"],
            "commune_code": file["commune_code"],
            "commune_code_entered": file["commune_code_entered"],
            "submitted_on": str(file["submitted_on"]),
        },
    )


@dataclass(frozen=True)
class NewFile:
    """A checked submission, sealed and ready to write: no work is left for the transaction."""

    registration: Registration
    context: ChangeContext
    cccd_index: bytes
    row: Row
    envelope: Envelope
    keyed: idempotency.Keyed | None = None
    # The request's span: the group commit writes in a task of its own, outside any request.
    traceparent: str | None = None

    def answer(self) -> idempotency.Answer:
        return idempotency.Answer(201, created_body(self.registration))

    @property
    def respondent(self) -> uuid.UUID | None:
        return self.registration.details.outreach_respondent_id


@dataclass
class Batch:
    """One group commit's files, decided in order against what is stored and what came before
    in the batch: `used` keys, files `made` from respondents, CCCDs `taken` by active files."""

    used: dict[tuple[str, str], idempotency.Stored]
    made: dict[uuid.UUID, idempotency.Answer]
    taken: dict[bytes, str]
    accepted: list[NewFile] = field(default_factory=list)

    def decide(self, new: NewFile) -> Outcome:
        """A key used before gets its first answer; a person already active, or twice in this
        batch, is refused; the rest are accepted, with their keys' answers."""
        if (refused := self._refusal(new)) is not None:
            return refused
        self._accept(new)
        return new.answer()

    def _refusal(self, new: NewFile) -> Outcome | None:
        if new.keyed is not None and (stored := self.used.get(new.keyed.ident)) is not None:
            return replay_or_refusal(stored, new.keyed)
        if new.respondent is not None and (existing := self.made.get(new.respondent)) is not None:
            return existing  # this respondent's file is already made
        if (commune := self.taken.get(new.cccd_index)) is not None:
            return DuplicateActiveRegistration(commune)
        return None

    def _accept(self, new: NewFile) -> None:
        self.taken[new.cccd_index] = new.registration.commune_code
        if new.respondent is not None:
            self.made[new.respondent] = already_made(new.answer().body)
        if new.keyed is not None:
            self.used[new.keyed.ident] = idempotency.Stored(new.keyed.fingerprint, new.answer())
        self.accepted.append(new)


def replay_or_refusal(
    stored: idempotency.Stored, request: idempotency.Keyed
) -> idempotency.Answer | AppError:
    try:
        return stored.replay_for(request)
    except idempotency.KeyReusedForAnotherRequest as refusal:
        return refusal


def given_by(new: NewFile) -> GivenConsents:
    actor = new.context.actor
    return GivenConsents(new.registration, actor.subject, actor.username)


def audit_of(new: NewFile) -> Change:
    return Change(
        new.context,
        action="registration.submitted",
        entity_type="registration",
        entity_id=str(new.registration.id),
        before={},
        after=audit_view(new.registration),
    )
