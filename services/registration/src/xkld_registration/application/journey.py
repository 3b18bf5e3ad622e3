"""Each journey step as a use case: which command it is, and which details it keeps.

Free text (reasons, notes, numbers, salaries) is written here, to this service's database; the
events carry only dates, codes and amounts. Health details are sealed before they are stored.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any, cast

from xkld_shared.audit import SEALED, ChangeContext
from xkld_shared.contracts.journey import EarlyReturnCause
from xkld_shared.contracts.registration import PriorityGroup
from xkld_shared.db.pool import Conn

from xkld_registration.application.journey_steps import JourneySteps, MakeCommand, WriteDetails
from xkld_registration.application.journey_terms import (
    CheckIn,
    Contract,
    EnterpriseNotFound,
    Note,
)
from xkld_registration.application.ports import (
    JourneyDetails,
    JourneyFile,
    JourneyFiles,
    PersonalDataVault,
)
from xkld_registration.domain import journey_commands as j
from xkld_registration.domain.journey import Decision
from xkld_registration.domain.journey_state import Gate, Journey

HEALTH_PURPOSE = "health"


def _record(
    files: JourneyFiles, kind: str, on: dt.date, details: dict[str, Any], context: ChangeContext
) -> WriteDetails:
    async def write(conn: Conn, file: JourneyFile, _: Decision) -> dict[str, Any]:
        await files.add_record(conn, file.id, kind, on, details, context.actor.username)
        return {k: v for k, v in details.items() if k.endswith("_code")}

    return write


def _given(cmd: j.Command) -> MakeCommand:
    async def make(_conn: Conn, _file: JourneyFile) -> j.Command:
        return cmd

    return make


class Journeys:
    def __init__(
        self, steps: JourneySteps, vault: PersonalDataVault, details: JourneyDetails
    ) -> None:
        self._steps = steps
        self._vault = vault
        self._details = details

    def _today(self, on: dt.date | None) -> dt.date:
        return on or self._steps.clock.today()

    async def _recorded(
        self,
        rid: uuid.UUID,
        ctx: ChangeContext,
        step: tuple[str, j.Command],
        record: tuple[str, dt.date, dict[str, Any]],
    ) -> Journey:
        """A step (action, command) whose details are kept as one of the file's journey
        records (kind, day, details)."""
        action, cmd = step
        kind, on, details = record
        write = _record(self._steps.files, kind, on, details, ctx)
        return await self._steps.run(rid, ctx, action=action, command=_given(cmd), details=write)

    async def find_eligible(
        self, rid: uuid.UUID, ctx: ChangeContext, on: dt.date | None
    ) -> Journey:
        cmd = j.FindEligible(self._today(on))
        return await self._steps.run(rid, ctx, action="found_eligible", command=_given(cmd))

    async def reject(self, rid: uuid.UUID, ctx: ChangeContext, reason: Note) -> Journey:
        today = self._today(None)
        details = {"reason_code": reason.code, "reason": reason.text}
        step = ("rejected", j.Reject(today, reason.code))
        return await self._recorded(rid, ctx, step, ("rejection", today, details))

    async def withdraw(self, rid: uuid.UUID, ctx: ChangeContext, reason: Note) -> Journey:
        today = self._today(None)
        details = {"reason_code": reason.code, "reason": reason.text}
        step = ("withdrawn", j.Withdraw(today, reason.code))
        return await self._recorded(rid, ctx, step, ("withdrawal", today, details))

    async def request_loan(
        self, rid: uuid.UUID, ctx: ChangeContext, terms: j.LoanTerms, purpose_note: str | None
    ) -> Journey:
        request = (uuid.uuid4(), self._today(None))
        make = self._loan_request(request, terms)
        write = self._loan_request_writer(request, terms, purpose_note)
        return await self._steps.run(rid, ctx, action="loan_requested", command=make, details=write)

    def _loan_request(self, request: tuple[uuid.UUID, dt.date], terms: j.LoanTerms) -> MakeCommand:
        async def make(conn: Conn, file: JourneyFile) -> j.Command:
            # The bank's rate and the province's top-up depend on the groups taken at intake.
            groups = await self._details.priority_groups(conn, file.id)
            return j.RequestLoan(
                request[0],
                terms,
                request[1],
                file.bank_consent,
                file.commune_code,
                file.province_code,
                cast(tuple[PriorityGroup, ...], tuple(sorted(groups))),
            )

        return make

    def _loan_request_writer(
        self, request: tuple[uuid.UUID, dt.date], terms: j.LoanTerms, purpose_note: str | None
    ) -> WriteDetails:
        async def write(conn: Conn, file: JourneyFile, _: Decision) -> dict[str, Any]:
            await self._details.add_loan_request(conn, file.id, request, terms, purpose_note)
            return {"loan_request_id": str(request[0]), "requested_vnd": terms.requested_vnd}

        return write

    async def declare_no_loan(
        self, rid: uuid.UUID, ctx: ChangeContext, note: str | None
    ) -> Journey:
        today = self._today(None)
        step = ("no_loan_declared", j.DeclareNoLoan(today))
        return await self._recorded(rid, ctx, step, ("no_loan", today, {"note": note}))

    async def sign_contract(
        self, rid: uuid.UUID, ctx: ChangeContext, contract: Contract
    ) -> Journey:
        c = contract

        async def make(conn: Conn, _file: JourneyFile) -> j.Command:
            enterprise = await self._steps.files.find_enterprise(conn, c.enterprise_code)
            if enterprise is None:
                raise EnterpriseNotFound
            return j.SignContract(
                enterprise, c.market_code, c.programme, c.term_months, c.signed_on, c.fee_vnd
            )

        async def write(conn: Conn, file: JourneyFile, _: Decision) -> dict[str, Any]:
            await self._details.add_contract(conn, file.id, c)
            return {"contract_number": c.contract_number}

        return await self._steps.run(
            rid, ctx, action="contract_signed", command=make, details=write
        )

    async def clear_gate(
        self,
        rid: uuid.UUID,
        ctx: ChangeContext,
        gate: Gate,
        on: dt.date | None,
        details: dict[str, Any],
    ) -> Journey:
        cleared_on = self._today(on)
        details = self._stored(gate, details)

        async def write(conn: Conn, file: JourneyFile, _: Decision) -> dict[str, Any]:
            await self._steps.files.add_record(
                conn, file.id, gate.value, cleared_on, details, ctx.actor.username
            )
            return {gate.value: SEALED if "sealed" in details else "recorded"}

        cmd = j.ClearGate(gate, cleared_on)
        return await self._steps.run(
            rid, ctx, action=f"gate_cleared.{gate.value}", command=_given(cmd), details=write
        )

    def _stored(self, gate: Gate, details: dict[str, Any]) -> dict[str, Any]:
        if gate is not Gate.HEALTH_CERTIFICATE:
            return details
        # Health data is sensitive (Decree 13/2023): only its sealed form is stored.
        sealed = self._vault.seal_sensitive(json.dumps(details, default=str), HEALTH_PURPOSE)
        return {"sealed": sealed}

    async def schedule_departure(
        self, rid: uuid.UUID, ctx: ChangeContext, departure_on: dt.date, flight_number: str | None
    ) -> Journey:
        cmd = j.ScheduleDeparture(departure_on, self._today(None))

        async def write(conn: Conn, file: JourneyFile, _: Decision) -> dict[str, Any]:
            await self._details.set_flight_number(conn, file.id, flight_number)
            return {"flight_number": flight_number}

        return await self._steps.run(
            rid, ctx, action="departure_scheduled", command=_given(cmd), details=write
        )

    async def depart(self, rid: uuid.UUID, ctx: ChangeContext, on: dt.date | None) -> Journey:
        cmd = j.Depart(self._today(on))
        return await self._steps.run(rid, ctx, action="departed", command=_given(cmd))

    async def check_in(self, rid: uuid.UUID, ctx: ChangeContext, check: CheckIn) -> Journey:
        c = check
        cmd = j.RecordCheckIn(
            c.checked_in_on, c.channel, c.employment_status, bool(c.incidents), c.remittance_vnd
        )

        async def write(conn: Conn, file: JourneyFile, _: Decision) -> dict[str, Any]:
            await self._details.add_check_in(conn, file.id, c)
            return {
                "check_in": c.checked_in_on,
                "employment_status": c.employment_status,
                "remittance_vnd": c.remittance_vnd,
            }

        return await self._steps.run(
            rid, ctx, action="check_in_recorded", command=_given(cmd), details=write
        )

    async def report_absconded(
        self, rid: uuid.UUID, ctx: ChangeContext, note: str | None
    ) -> Journey:
        today = self._today(None)
        step = ("absconded", j.ReportAbsconded(today))
        return await self._recorded(rid, ctx, step, ("absconding", today, {"note": note}))

    async def record_return(
        self,
        rid: uuid.UUID,
        ctx: ChangeContext,
        on: dt.date | None,
        early_cause: EarlyReturnCause | None,
        note: str | None,
    ) -> Journey:
        returned_on = self._today(on)
        details = {"early_cause_code": early_cause, "note": note}
        step = ("returned", j.Return(returned_on, early_cause))
        return await self._recorded(rid, ctx, step, ("return", returned_on, details))

    async def refer_to_job(self, rid: uuid.UUID, ctx: ChangeContext, referral: Note) -> Journey:
        today = self._today(None)
        details = {"referral_code": referral.code, "note": referral.text}
        step = ("reintegration_referred", j.ReferToJob(today, referral.code))
        return await self._recorded(rid, ctx, step, ("job_referral", today, details))
