"""What the registration stream asks of the bank: new applications, withdrawals, returns.

Each handler runs inside the consumer's transaction, after the inbox claim, so its change,
audit row and events commit with the claim or not at all.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from xkld_shared.audit import ChangeContext
from xkld_shared.contracts.envelope import Envelope, EventPayload
from xkld_shared.contracts.journey import LoanRequested, RegistrationWithdrawn, WorkerReturned
from xkld_shared.contracts.loan import LoanFlaggedForReview
from xkld_shared.db.pool import Conn
from xkld_shared.identity.principal import Principal, Scope
from xkld_shared.messaging.consumer import Handler

from xkld_loans.application.applications import LoanApplications
from xkld_loans.application.loan_events import received_event
from xkld_loans.application.regime_book import RegimesAmbiguous
from xkld_loans.domain import application as domain
from xkld_loans.domain.application import BEFORE_MONEY, LoanApplication, Status
from xkld_loans.domain.branches import BranchRouting
from xkld_loans.domain.regime_evaluation import Evaluation, LoanAsk

log = logging.getLogger(__name__)
NO_REGIME = "no_regime_in_force"


def _system(branch: str | None) -> Principal:
    return Principal(
        subject="system:loans.registration-consumer",
        username="system",
        roles=frozenset(),
        scope=Scope(branch=branch),
    )


def _context(envelope: Envelope, branch: str | None) -> ChangeContext:
    return ChangeContext(_system(branch), None, envelope.correlation_id)


@dataclass(frozen=True)
class FromRegistration:
    applications: LoanApplications
    routing: BranchRouting

    async def on_loan_requested(self, conn: Conn, envelope: Envelope, event: EventPayload) -> None:
        assert isinstance(event, LoanRequested)
        if await self._already_open(conn, envelope, event):
            return
        ask = _ask_of(event)
        app = await self._new_application(conn, envelope, event, ask)
        await self.applications.store.insert(conn, app, ask, loan_request_id=event.loan_request_id)
        context = _context(envelope, app.branch_code)
        await self.applications.record(
            conn,
            context,
            "loan.application_received",
            None,
            app,
            received_event(app, event.loan_request_id),
        )

    async def _already_open(self, conn: Conn, envelope: Envelope, event: LoanRequested) -> bool:
        """The request was seen before, or the file has an open application already."""
        if await self.applications.store.has_request(conn, event.loan_request_id):
            return True  # the same request re-sent under a new event id
        if (
            await self.applications.store.open_application_of(conn, envelope.registration_id)
            is not None
        ):
            log.warning(
                "loan request for a file with an open application; not duplicated",
                extra={"registration_id": str(envelope.registration_id)},
            )
            return True
        return False

    async def _new_application(
        self, conn: Conn, envelope: Envelope, event: LoanRequested, ask: LoanAsk
    ) -> LoanApplication:
        return LoanApplication(
            id=uuid.uuid4(),
            registration_id=envelope.registration_id,
            branch_code=self.routing.branch_of(event.commune_code, event.province_code),
            commune_code=event.commune_code,
            requested_vnd=ask.requested_vnd,
            requested_term_months=ask.requested_term_months,
            evaluation=await self._evaluation(conn, ask),
            status=Status.RECEIVED,
        )

    async def _evaluation(self, conn: Conn, ask: LoanAsk) -> Evaluation:
        try:
            evaluation = await self.applications.evaluation_for(conn, ask)
        except RegimesAmbiguous:
            evaluation = None  # kept as ineligible below; the bank sees it and fixes the data
        if evaluation is None:
            # Kept, not dropped: the officer sees it in the queue and proposes a rejection.
            return _no_regime()
        return evaluation

    async def on_registration_withdrawn(
        self, conn: Conn, envelope: Envelope, event: EventPayload
    ) -> None:
        """Ends an application no money moved for; a disbursed loan is still owed: flag it."""
        assert isinstance(event, RegistrationWithdrawn)
        app = await self._open_application(conn, envelope)
        if app is None:
            return
        context = _context(envelope, app.branch_code)
        if app.status in BEFORE_MONEY:
            await self._withdraw(conn, context, app)
            return
        await self._flag(conn, envelope, app, "registration_withdrawn", event.withdrawn_on)

    async def _withdraw(self, conn: Conn, context: ChangeContext, app: LoanApplication) -> None:
        """Ends an application before any money moved; an approval's draw goes back."""
        after = domain.withdraw(app)
        await self.applications.store.save(conn, after)
        if self.applications.pools is not None and app.status is Status.APPROVED:
            await self.applications.pools.give_back_draw(conn, app, context)
        await self.applications.record(
            conn, context, "loan.withdrawn_by_registration", app, after, None
        )

    async def _open_application(self, conn: Conn, envelope: Envelope) -> LoanApplication | None:
        """The file's open application, locked for this change."""
        store = self.applications.store
        return await store.open_application_of(conn, envelope.registration_id, lock=True)

    async def on_worker_returned(self, conn: Conn, envelope: Envelope, event: EventPayload) -> None:
        """An early return may bring Art. 67 support: the loan is flagged for the bank's review."""
        assert isinstance(event, WorkerReturned)
        if not event.early:
            return
        app = await self._open_application(conn, envelope)
        if app is None or app.status in BEFORE_MONEY:
            return
        reason = f"early_return.{event.early_cause}"
        await self._flag(conn, envelope, app, reason, event.returned_on)

    async def _flag(
        self,
        conn: Conn,
        envelope: Envelope,
        app: LoanApplication,
        reason: str,
        on: dt.date,
    ) -> None:
        await self.applications.store.flag_for_review(conn, app.id, reason, on)
        flagged = LoanFlaggedForReview(
            loan_application_id=app.id, flagged_on=on, reason_code=reason
        )
        context = _context(envelope, app.branch_code)
        await self.applications.record(conn, context, "loan.flagged_for_review", app, app, flagged)


def _no_regime() -> Evaluation:
    """An ineligible evaluation: no regime of the programme was in force on the date."""
    return Evaluation(
        regime_code=NO_REGIME,
        eligible=False,
        reasons=(
            "Không có chế độ cho vay nào áp dụng cho chương trình và ngày này"
            " / No loan regime of this programme was in force on that date",
        ),
        max_amount_vnd=0,
        collateral_required=False,
        monthly_rate=None,
        overdue_monthly_rate=None,
        max_term_months=0,
    )


def _ask_of(event: LoanRequested) -> LoanAsk:
    return LoanAsk(
        programme=event.programme,
        application_date=event.requested_on,
        priority_groups=frozenset(event.priority_groups),
        contract_costs_vnd=event.contract_costs_vnd,
        requested_vnd=event.requested_vnd,
        requested_term_months=event.requested_term_months,
        contract_term_months=event.contract_term_months,
        province_code=event.province_code,
    )


def handlers(source: FromRegistration) -> dict[str, Handler]:
    return {
        LoanRequested.EVENT_TYPE: source.on_loan_requested,
        RegistrationWithdrawn.EVENT_TYPE: source.on_registration_withdrawn,
        WorkerReturned.EVENT_TYPE: source.on_worker_returned,
    }
