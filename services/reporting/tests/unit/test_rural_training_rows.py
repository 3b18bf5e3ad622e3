"""What each rural-training event does to the rows held in memory (no database)."""

from __future__ import annotations

import datetime as dt
import uuid

from xkld_reporting.domain.rural_training import (
    RuralTrainingState,
    apply_rural_training_event,
)
from xkld_shared.contracts import training as tr
from xkld_shared.contracts.envelope import Envelope, EventPayload, new_envelope
from xkld_testkit.rural_scenario import AQUA, TAN_QUOI, Course, Plan, completed, outcome, paid

D = dt.date
OLD_THANH_LOI = "29791"  # merged into Tân Quới (29800) on 1 July 2025


def _state() -> RuralTrainingState:
    merged = {OLD_THANH_LOI: TAN_QUOI}
    return RuralTrainingState(lambda c: merged.get(c, c), lambda c: "86", {}, {}, {})


def _apply(state: RuralTrainingState, key: uuid.UUID, *events: EventPayload) -> None:
    for event in events:
        env: Envelope = new_envelope(event, registration_id=key, producer="t")
        apply_rural_training_event(state, env, event)


def test_a_later_employment_record_replaces_the_earlier_one_and_support_is_never_added() -> None:
    state, who = _state(), uuid.uuid4()
    course = Course("AQ-01", AQUA, None, D(2026, 3, 2), D(2026, 5, 29))
    _apply(
        state,
        who,
        completed(course, TAN_QUOI, passed=True, certificate=True),
        outcome(course, TAN_QUOI, "no_work_yet", D(2026, 6, 1)),
        outcome(course, TAN_QUOI, "work_in_trade", D(2026, 7, 1)),
        paid(who, course, TAN_QUOI, D(2026, 6, 10), 3_000_000, 600_000, 0),
        paid(who, course, TAN_QUOI, D(2026, 6, 10), 3_000_000, 600_000, 0),
    )
    row = state.courses[(who, course.id)]
    assert (row.outcome, row.outcome_recorded_on) == ("work_in_trade", D(2026, 7, 1))
    assert row.support_total_vnd == 3_600_000
    assert (row.passed, row.certificate_issued, row.completed_on) == (True, True, D(2026, 5, 29))


def test_a_trainee_from_a_merged_commune_counts_under_the_commune_of_today() -> None:
    state, who = _state(), uuid.uuid4()
    _apply(
        state,
        who,
        tr.TraineeRegistered(
            commune_code=OLD_THANH_LOI,
            province_code="86",
            gender="male",
            birth_year=1990,
            registered_on=D(2026, 1, 5),
            support_groups=("near_poor_household", "woman_lost_job"),
            phone_ciphertext="v1.k1.x",
            sms_consent=False,
        ),
        tr.TraineePersonalDataErased(erased_on=D(2026, 9, 1)),
    )
    row = state.trainees[who]
    assert (row.commune_code, row.source_commune_code) == (TAN_QUOI, OLD_THANH_LOI)
    assert row.support_group == "woman_lost_job"
    assert row.erased_on == D(2026, 9, 1)


def test_setting_a_plan_line_replaces_it_and_a_withdrawal_of_an_unknown_line_is_ignored() -> None:
    state, plan = _state(), Plan()
    line = plan.line(TAN_QUOI, AQUA, places=10, budget=20_000_000)
    withdrawal = tr.CoursePlanLineWithdrawn(
        line_id=line, plan_year=2026, withdrawn_on=D(2026, 2, 1)
    )
    plan.add(line, withdrawal)
    plan.line(TAN_QUOI, AQUA, places=12, budget=18_000_000, line_id=line)
    stranger = uuid.uuid4()
    plan.add(
        stranger,
        tr.CoursePlanLineWithdrawn(line_id=stranger, plan_year=2026, withdrawn_on=D(2026, 2, 1)),
    )
    for env in plan.events:
        apply_rural_training_event(
            state, env, tr.__dict__[env.event_type].model_validate(env.payload)
        )
    assert list(state.lines) == [line]
    assert (state.lines[line].places, state.lines[line].budget_vnd) == (12, 18_000_000)
    assert state.lines[line].withdrawn_on is None  # set again after the withdrawal: back in
    assert state.touched_lines == {line}
