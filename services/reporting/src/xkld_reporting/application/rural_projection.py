"""Applying a batch's rural-training events (trainees, their courses, the course plan) to the
projection schema: read the rows the batch touches, change them in the events' order, write
them back. Called by `projector.project` inside the batch's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from xkld_shared.contracts import training as tr
from xkld_shared.contracts.envelope import Envelope, EventPayload
from xkld_shared.db.pool import Conn

from xkld_reporting.application.ports import RowStore, UnitMap
from xkld_reporting.domain.rural_training import (
    EVENTS,
    PlanLineRow,
    RuralTrainingState,
    TraineeCourseRow,
    TraineeRow,
    apply_rural_training_event,
    plan_line_id,
)

RURAL_EVENTS = frozenset(EVENTS)
_PLAN = (tr.CoursePlanLineSet, tr.CoursePlanLineWithdrawn)
_COURSE_KEY = ["trainee_id", "course_id"]


class RuralProjection:
    """Reads the rows a batch touches through `rows`, with the commune map of `units`."""

    def __init__(self, rows: RowStore, units: UnitMap) -> None:
        self._rows = rows
        self._units = units

    async def project(
        self, conn: Conn, schema: str, events: Sequence[tuple[Envelope, EventPayload]]
    ) -> None:
        if not events:
            return
        state = await self._load_state(conn, schema, events)
        for env, event in events:
            apply_rural_training_event(state, env, event)
        await self._save_state(conn, schema, state)

    async def _load_state(
        self, conn: Conn, schema: str, events: Sequence[tuple[Envelope, EventPayload]]
    ) -> RuralTrainingState:
        """The rows the batch touches: its trainees, their courses and its plan lines."""
        trainees = _trainee_ids(events)
        lines = _plan_line_ids(events)
        units = self._units.admin_units()
        load = self._rows.load
        trainee_rows = await load(conn, f"{schema}.trainee", TraineeRow, "trainee_id", trainees)
        courses = await self._load_courses(conn, schema, trainees)
        plan = await load(conn, f"{schema}.plan_line", PlanLineRow, "line_id", lines)
        return RuralTrainingState(units.current, units.province_of, trainee_rows, courses, plan)

    async def _load_courses(
        self, conn: Conn, schema: str, trainees: list[uuid.UUID]
    ) -> dict[tuple[uuid.UUID, uuid.UUID], TraineeCourseRow]:
        table = f"{schema}.trainee_course"
        return await self._rows.load(
            conn, table, TraineeCourseRow, "trainee_id", trainees, _course_key
        )

    async def _save_state(self, conn: Conn, schema: str, state: RuralTrainingState) -> None:
        """Writes back the rows the batch changed."""
        save = self._rows.save
        trainees = [state.trainees[i] for i in state.touched]
        await save(conn, f"{schema}.trainee", TraineeRow, ["trainee_id"], trainees)
        courses = [state.courses[k] for k in state.touched_courses]
        await save(conn, f"{schema}.trainee_course", TraineeCourseRow, _COURSE_KEY, courses)
        lines = [state.lines[i] for i in state.touched_lines]
        await save(conn, f"{schema}.plan_line", PlanLineRow, ["line_id"], lines)


def _trainee_ids(events: Sequence[tuple[Envelope, EventPayload]]) -> list[uuid.UUID]:
    return list(
        {env.registration_id for env, e in events if type(e) not in _PLAN}
        | {e.trainee_id for _, e in events if isinstance(e, tr.TrainingSupportPaid)}
    )


def _plan_line_ids(events: Sequence[tuple[Envelope, EventPayload]]) -> list[uuid.UUID]:
    return list({i for _, e in events if (i := plan_line_id(e)) is not None})


def _course_key(row: TraineeCourseRow) -> tuple[uuid.UUID, uuid.UUID]:
    return (row.trainee_id, row.course_id)
