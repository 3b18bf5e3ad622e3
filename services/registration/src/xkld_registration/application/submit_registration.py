"""Taking in a worker's file: the row and its RegistrationSubmitted event commit together."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from xkld_shared import idempotency
from xkld_shared.audit import ChangeContext, record_change
from xkld_shared.contracts.envelope import new_envelope
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.db.pool import Conn
from xkld_shared.errors import AppError, FieldProblem
from xkld_shared.messaging.outbox import add_to_outbox

from xkld_registration.application.ports import (
    Clock,
    CommuneDirectory,
    MarketCatalogue,
    PersonalDataVault,
    RegistrationStore,
)
from xkld_registration.domain.communes import resolve_commune
from xkld_registration.domain.markets import Market, unknown_market
from xkld_registration.domain.registration import (
    DuplicateActiveRegistration,
    Registration,
    SubmitRegistration,
    audit_view,
    submit,
    submitted_event,
)

PRODUCER = "registration"


class OutsideYourCommunes(AppError):
    status_code = 403
    code = "outside_your_communes"

    def __init__(self) -> None:
        super().__init__(
            "Bạn chỉ được nhận hồ sơ của xã/phường mình phụ trách",
            "You may only register workers of the communes you are responsible for",
        )


def created_body(registration: Registration) -> dict[str, Any]:
    """The answer to a successful submission (also what an idempotent retry gets back)."""
    return {
        "registration_id": str(registration.id),
        "status": registration.status.value,
        "commune_code": registration.commune_code,
        "commune_code_entered": registration.commune_code_entered,
        "submitted_on": registration.submitted_on.isoformat(),
    }


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

    async def __call__(self, cmd: SubmitRegistration, context: ChangeContext) -> Registration:
        async with self._pool.acquire() as conn:
            registration = await self._open(conn, cmd, context)
            try:
                async with conn.transaction():
                    await self._store_new(conn, registration, context)
            except asyncpg.UniqueViolationError:
                # Two officers submitted the same person at once; the unique index decided.
                existing = await self._store.active_commune_for(
                    conn, self._vault.cccd_index(registration.cccd)
                )
                raise DuplicateActiveRegistration(existing or "?") from None
        return registration

    async def once(
        self, cmd: SubmitRegistration, context: ChangeContext, key: str, request: dict[str, Any]
    ) -> idempotency.Answer:
        """Submit at most once per Idempotency-Key of this officer; a retry gets the answer."""

        async def work() -> idempotency.Answer:
            registration = await self._open(conn, cmd, context)
            await self._store_new(conn, registration, context)
            return idempotency.Answer(201, created_body(registration))

        scope = f"registration.submit:{context.actor.subject}"
        async with self._pool.acquire() as conn:
            try:
                async with conn.transaction():
                    return await idempotency.once(
                        conn, scope=scope, key=key, request_body=request, work=work
                    )
            except asyncpg.UniqueViolationError:
                existing = await self._store.active_commune_for(
                    conn, self._vault.cccd_index(cmd.cccd.strip())
                )
                raise DuplicateActiveRegistration(existing or "?") from None

    async def check(self, cmd: SubmitRegistration, context: ChangeContext) -> Registration:
        """Every check a submission makes, including the duplicate check, writing nothing."""
        async with self._pool.acquire() as conn:
            registration = await self._open(conn, cmd, context)
            existing = await self._store.active_commune_for(
                conn, self._vault.cccd_index(registration.cccd)
            )
        if existing is not None:
            raise DuplicateActiveRegistration(existing)
        return registration

    async def _open(
        self, conn: Conn, cmd: SubmitRegistration, context: ChangeContext
    ) -> Registration:
        today = self._clock.today()
        market: Market | FieldProblem | None = None
        if (code := cmd.details.desired_market) is not None:
            market = await self._markets.market(conn, code) or unknown_market(code)
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

    async def _store_new(
        self, conn: Conn, registration: Registration, context: ChangeContext
    ) -> None:
        """The row, its consents, the audit row and the event: inside the caller's transaction."""
        event = submitted_event(registration, self._vault.seal_phone(registration.phone_e164))
        envelope = new_envelope(
            event,
            registration_id=registration.id,
            producer=PRODUCER,
            correlation_id=context.correlation_id,
        )
        existing = await self._store.active_commune_for(
            conn, self._vault.cccd_index(registration.cccd)
        )
        if existing is not None:
            raise DuplicateActiveRegistration(existing)
        await self._store.add(conn, registration, self._vault)
        actor = context.actor
        await self._store.add_consents(conn, registration, actor.subject, actor.username)
        await record_change(
            conn,
            context,
            action="registration.submitted",
            entity_type="registration",
            entity_id=str(registration.id),
            before={},
            after=audit_view(registration),
        )
        await add_to_outbox(conn, self._topic, [envelope])
