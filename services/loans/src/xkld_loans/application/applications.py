"""Use cases of a loan application. Each change, its audit row and its event commit together."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import asyncpg
from xkld_shared.audit import ChangeContext, record_change
from xkld_shared.contracts.envelope import EventPayload, new_envelope
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.db.pool import Conn
from xkld_shared.errors import Conflict, InvalidInput, NotFound
from xkld_shared.messaging.outbox import add_to_outbox

from xkld_loans.application.capital_pool import CapitalPools
from xkld_loans.application.loan_events import audit_view, decision_event, received_event
from xkld_loans.application.ports import LoanStore
from xkld_loans.application.regime_book import RegimeBook, RegimesAmbiguous
from xkld_loans.domain import application as domain
from xkld_loans.domain.application import LoanApplication, Status
from xkld_loans.domain.local_time import local_today
from xkld_loans.domain.problems import invalid
from xkld_loans.domain.provincial_routing import route
from xkld_loans.domain.regime_evaluation import Evaluation, LoanAsk, evaluate
from xkld_loans.domain.regime_model import NoRegimeInForce, Regime, TopUp, regime_in_force
from xkld_loans.domain.transaction_days import TransactionDays, load_transaction_days

PRODUCER = "loans"


class ApplicationNotFound(NotFound):
    code = "loan_application_not_found"

    def __init__(self) -> None:
        super().__init__("Không tìm thấy hồ sơ vay", "No such loan application")


class OpenApplicationExists(Conflict):
    code = "loan_application_exists"

    def __init__(self) -> None:
        super().__init__(
            "Hồ sơ này đã có một đơn vay đang xử lý hoặc đã được duyệt",
            "This file already has a loan application in progress or approved",
        )


@dataclass(frozen=True)
class ReceiveApplication:
    registration_id: uuid.UUID
    commune_code: str
    ask: LoanAsk


class LoanApplications:
    def __init__(
        self,
        pool: asyncpg.Pool,
        topics: Topics,
        regimes: RegimeBook,
        store: LoanStore,
        transaction_days: TransactionDays | None = None,
        top_ups: Sequence[TopUp] = (),
        today: Callable[[], dt.date] = local_today,
        pools: CapitalPools | None = None,
    ) -> None:
        self.pool = pool
        self._topic = topics.of(Stream.LOAN)
        # The provincial capital pools that pool-funded approvals draw on (None: no pool).
        self.pools = pools
        self.regimes = regimes
        self.store = store
        self.top_ups = tuple(top_ups)
        self.transaction_days = transaction_days or load_transaction_days()
        self._today = today

    async def locked_in_branch(
        self, conn: Conn, application_id: uuid.UUID, context: ChangeContext
    ) -> LoanApplication:
        """The application, locked for this change; another branch's one does not exist for
        you."""
        app = await self.store.load_for_update(conn, application_id)
        if app is None or app.branch_code != context.actor.scope.branch:
            raise ApplicationNotFound
        return app

    async def receive(self, cmd: ReceiveApplication, context: ChangeContext) -> LoanApplication:
        branch = _branch_of(context)
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                app = await self._new_application(conn, cmd, branch)
                await self.store.insert(conn, app, cmd.ask)
                event = received_event(app)
                await self.record(conn, context, "loan.application_received", None, app, event)
        except asyncpg.UniqueViolationError:
            raise OpenApplicationExists from None
        return app

    async def _new_application(
        self, conn: Conn, cmd: ReceiveApplication, branch: str
    ) -> LoanApplication:
        """The application as received, evaluated under the regime in force."""
        evaluation = await self.evaluation_for(conn, cmd.ask)
        if evaluation is None:
            raise _no_regime()
        return LoanApplication(
            id=uuid.uuid4(),
            registration_id=cmd.registration_id,
            branch_code=branch,
            commune_code=cmd.commune_code,
            requested_vnd=cmd.ask.requested_vnd,
            requested_term_months=cmd.ask.requested_term_months,
            evaluation=evaluation,
            status=Status.RECEIVED,
        )

    def _disbursement_day(self, app: LoanApplication) -> dt.date:
        return self.transaction_days.next_on_or_after(app.commune_code, self._today())

    async def regime_for(self, conn: Conn, ask: LoanAsk) -> Regime | None:
        """The regime in force for the ask's programme on its date, if any."""
        try:
            regimes = await self.regimes.current(conn)
            return regime_in_force(regimes, ask.programme, ask.application_date)
        except NoRegimeInForce:
            return None
        except ValueError as overlap:  # two regimes in force on that day
            raise RegimesAmbiguous(overlap) from None

    async def evaluation_for(self, conn: Conn, ask: LoanAsk) -> Evaluation | None:
        """The ask evaluated under the regime it is routed to (central or provincial, with the
        rule that chose it); None when no regime covers it."""
        try:
            chosen = route(await self.regimes.current(conn), ask)
        except NoRegimeInForce:
            return None
        except ValueError as overlap:  # two regimes of one programme in force on that day
            raise RegimesAmbiguous(overlap) from None
        evaluation = evaluate(chosen.regime, chosen.ask, self.top_ups)
        return dataclasses.replace(
            evaluation, routing_rule=chosen.rule, routing_reason=chosen.reason
        )

    @property
    def topic(self) -> str:
        return self._topic

    async def propose(
        self,
        application_id: uuid.UUID,
        context: ChangeContext,
        transition: Callable[[LoanApplication], LoanApplication],
    ) -> LoanApplication:
        return await self._change(application_id, context, "loan.proposed", transition)

    async def start_review(
        self, application_id: uuid.UUID, context: ChangeContext
    ) -> LoanApplication:
        by = context.actor.subject
        return await self._change(
            application_id,
            context,
            "loan.review_started",
            lambda app: domain.start_review(app, by=by),
        )

    async def decide(
        self,
        application_id: uuid.UUID,
        context: ChangeContext,
        agree: bool,
        reason: str | None = None,
    ) -> LoanApplication:
        by = context.actor.subject

        def transition(app: LoanApplication) -> LoanApplication:
            return domain.confirm(app, by=by) if agree else domain.send_back(app, by=by)

        action = "loan.decision_confirmed" if agree else "loan.proposal_sent_back"
        return await self._change(application_id, context, action, transition, reason)

    async def _change(
        self,
        application_id: uuid.UUID,
        context: ChangeContext,
        action: str,
        transition: Callable[[LoanApplication], LoanApplication],
        reason: str | None = None,
    ) -> LoanApplication:
        async with self.pool.acquire() as conn, conn.transaction():
            before = await self.locked_in_branch(conn, application_id, context)
            after = transition(before)
            await self.store.save(conn, after)
            approved_now = after.status is Status.APPROVED and before.status is not Status.APPROVED
            if self.pools is not None and approved_now:
                # In this transaction: an exhausted pool refuses the approval as a whole.
                await self.pools.draw(conn, after, context)
            event = decision_event(after, self._disbursement_day(after))
            await self.record(conn, context, action, before, after, event, reason=reason)
        return after

    async def record(
        self,
        conn: Conn,
        context: ChangeContext,
        action: str,
        before: LoanApplication | None,
        after: LoanApplication,
        event: EventPayload | None,
        *,
        reason: str | None = None,
    ) -> None:
        """`reason`: why, when the person gave one (a manager sending a proposal back)."""
        await record_change(
            conn,
            context,
            action=action,
            entity_type="loan_application",
            entity_id=str(after.id),
            before={} if before is None else audit_view(before),
            after=audit_view(after) | ({"reason": reason} if reason else {}),
        )
        if event is not None:
            await self._tell(conn, context, after, event)

    async def _tell(
        self, conn: Conn, context: ChangeContext, after: LoanApplication, event: EventPayload
    ) -> None:
        """The event, to the outbox: it is published once this transaction commits."""
        envelope = new_envelope(
            event,
            registration_id=after.registration_id,
            producer=PRODUCER,
            correlation_id=context.correlation_id,
        )
        await add_to_outbox(conn, self._topic, [envelope])


def _no_regime() -> InvalidInput:
    return invalid(
        "application_date",
        "Không có chế độ cho vay nào áp dụng vào ngày này cho chương trình này",
        "No loan regime of this programme was in force on that date",
    )


def _branch_of(context: ChangeContext) -> str:
    """The caller's branch: applications are received by a branch's officers."""
    branch = context.actor.scope.branch
    if branch is None:
        raise invalid("branch", "Tài khoản chưa gắn chi nhánh", "No branch")
    return branch
