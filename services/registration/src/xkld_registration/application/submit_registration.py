"""Taking in a worker's file: the row and its RegistrationSubmitted event commit together."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg
from xkld_shared import idempotency
from xkld_shared.audit import ChangeContext, record_changes
from xkld_shared.contracts.envelope import new_envelope
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.db.group_commit import GroupCommit
from xkld_shared.db.pool import Conn
from xkld_shared.errors import AppError, FieldProblem, NotAllowed
from xkld_shared.messaging.outbox import add_to_outbox
from xkld_shared.tracing import current_traceparent

from xkld_registration.application.new_files import (
    Batch,
    NewFile,
    already_made,
    audit_of,
    given_by,
)
from xkld_registration.application.ports import (
    Clock,
    CommuneDirectory,
    MarketCatalogue,
    PersonalDataVault,
    RegistrationStore,
    Sealed,
)
from xkld_registration.domain.communes import resolve_commune
from xkld_registration.domain.markets import Market, unknown_market
from xkld_registration.domain.registration import (
    DuplicateActiveRegistration,
    Registration,
    SubmitRegistration,
    submit,
    submitted_event,
)

PRODUCER = "registration"


class OutsideYourCommunes(NotAllowed):
    code = "outside_your_communes"

    def __init__(self) -> None:
        super().__init__(
            "Bạn chỉ được nhận hồ sơ của xã/phường mình phụ trách",
            "You may only register workers of the communes you are responsible for",
        )


class SubmitRegistrationHandler:
    def __init__(
        self,
        pool: asyncpg.Pool,
        store: RegistrationStore,
        vault: PersonalDataVault,
        topics: Topics,
        clock: Clock,
        communes: CommuneDirectory,
        markets: MarketCatalogue,
    ) -> None:
        self._pool = pool
        self._store = store
        self._vault = vault
        self._topic = topics.of(Stream.REGISTRATION)
        self._clock = clock
        self._communes = communes
        self._markets = markets
        # Intake days bring many officers' submissions at once; they commit together.
        self._group = GroupCommit(pool, self._write)

    async def __call__(self, cmd: SubmitRegistration, context: ChangeContext) -> Registration:
        new = self._prepared(await self._open(cmd, context), context)
        await self._written(new)
        return new.registration

    async def once(
        self, cmd: SubmitRegistration, context: ChangeContext, key: str, request: dict[str, Any]
    ) -> idempotency.Answer:
        """Submit at most once per Idempotency-Key of this officer; a retry gets the answer."""
        keyed = idempotency.Keyed.of(f"registration.submit:{context.actor.subject}", key, request)
        try:
            registration = await self._open(cmd, context)
        except AppError:
            # A retry whose checks now fail (the market changed, a day passed) still gets the
            # first answer, as it would have before any check ran.
            async with self._pool.acquire() as conn:
                stored = (await idempotency.find(conn, [keyed])).get(keyed.ident)
            if stored is None:
                raise
            return stored.replay_for(keyed)
        return await self._written(self._prepared(registration, context, keyed))

    async def check(self, cmd: SubmitRegistration, context: ChangeContext) -> Registration:
        """Every check a submission makes, including the duplicate check, writing nothing."""
        registration = await self._open(cmd, context)
        async with self._pool.acquire() as conn:
            existing = await self._store.active_commune_for(
                conn, self._vault.cccd_index(registration.cccd)
            )
        if existing is not None:
            raise DuplicateActiveRegistration(existing)
        return registration

    async def answer(self, cmd: SubmitRegistration, context: ChangeContext) -> idempotency.Answer:
        """Submit without a key: 201 with the new file, or 200 with the file already made from
        the same survey respondent."""
        return await self._written(self._prepared(await self._open(cmd, context), context))

    async def aclose(self) -> None:
        await self._group.aclose()

    async def _written(self, new: NewFile) -> idempotency.Answer:
        try:
            return await self._group.write(new)
        except asyncpg.UniqueViolationError:
            # Two officers submitted the same person at once (or one survey respondent was
            # converted twice at once); the unique index decided.
            if (made := await self._made_from_respondent(new)) is not None:
                return made
            raise await self._duplicate(new.cccd_index) from None

    async def _made_from_respondent(self, new: NewFile) -> idempotency.Answer | None:
        respondent = new.registration.details.outreach_respondent_id
        if respondent is None:
            return None
        async with self._pool.acquire() as conn:
            found = await self._store.from_respondents(conn, [respondent])
        return None if respondent not in found else already_made(found[respondent])

    async def _duplicate(self, cccd_index: bytes) -> DuplicateActiveRegistration:
        async with self._pool.acquire() as conn:
            existing = await self._store.active_commune_for(conn, cccd_index)
        return DuplicateActiveRegistration(existing or "?")

    async def _open(self, cmd: SubmitRegistration, context: ChangeContext) -> Registration:
        today = self._clock.today()
        market: Market | FieldProblem | None = None
        if (code := cmd.details.desired_market) is not None:
            market = await self._markets.market(code) or unknown_market(code)
        registration = submit(
            cmd,
            registration_id=uuid.uuid4(),
            today=today,
            commune=resolve_commune(cmd.commune_code, self._communes.unit, today),
            market=market,
        )
        if registration.commune_code not in context.actor.scope.communes:
            raise OutsideYourCommunes
        return registration

    def _prepared(
        self,
        registration: Registration,
        context: ChangeContext,
        keyed: idempotency.Keyed | None = None,
    ) -> NewFile:
        sealed = Sealed(
            self._vault.cccd_index(registration.cccd),
            self._vault.seal_phone(registration.phone_e164),
        )
        envelope = new_envelope(
            submitted_event(registration, sealed.phone),
            registration_id=registration.id,
            producer=PRODUCER,
            correlation_id=context.correlation_id,
        )
        row = self._store.row_of(registration, self._vault, sealed)
        return NewFile(
            registration, context, sealed.cccd_index, row, envelope, keyed, current_traceparent()
        )

    async def _write(
        self, conn: Conn, files: Sequence[NewFile]
    ) -> list[idempotency.Answer | AppError]:
        """The rows, their consents, audit rows and events, in the caller's transaction.

        A key used before gets its first answer; a person already active, or twice in this
        batch, is refused; the rest are written, with their keys' answers."""
        keys = [f.keyed for f in files if f.keyed is not None]
        used = await idempotency.lock_and_find(conn, keys) if keys else {}
        taken = await self._store.active_communes_for(conn, [f.cccd_index for f in files])
        batch = Batch(used, await self._made_from(conn, files), taken)
        outcomes = [batch.decide(new) for new in files]
        if batch.accepted:
            await self._insert(conn, sorted(batch.accepted, key=lambda f: f.cccd_index))
        return outcomes

    async def _made_from(
        self, conn: Conn, files: Sequence[NewFile]
    ) -> dict[uuid.UUID, idempotency.Answer]:
        respondents = [
            r for f in files if (r := f.registration.details.outreach_respondent_id) is not None
        ]
        if not respondents:
            return {}
        found = await self._store.from_respondents(conn, respondents)
        return {respondent: already_made(row) for respondent, row in found.items()}

    async def _insert(self, conn: Conn, files: Sequence[NewFile]) -> None:
        # In index order, so two batches inserting the same people wait instead of deadlocking.
        await self._store.add_all(conn, [f.row for f in files])
        await self._store.add_consents(conn, [given_by(f) for f in files])
        await record_changes(conn, [audit_of(f) for f in files])
        await add_to_outbox(
            conn, self._topic, [f.envelope for f in files], [f.traceparent for f in files]
        )
        answered = [(f.keyed, f.answer()) for f in files if f.keyed is not None]
        if answered:
            await idempotency.store(conn, answered)
