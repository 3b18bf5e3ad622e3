"""What every step on a trainee shares: the refusals, the intake form, loading a trainee within
the actor's scope, the row as stored, and the audit trail's view of a trainee."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from xkld_shared.audit import ChangeContext, record_change
from xkld_shared.db.pool import Conn
from xkld_shared.errors import Conflict, NotFound
from xkld_shared.identity.principal import Principal

from xkld_registration.application.ports import (
    ETHNICITY_PURPOSE,
    POVERTY_PURPOSE,
    PersonalDataVault,
    TraineeInsert,
    TraineeRow,
    TraineeStore,
)
from xkld_registration.application.scope import may_act_on
from xkld_registration.domain.reference import Course, CourseRefused
from xkld_registration.domain.registration import Registration, SubmitRegistration
from xkld_registration.domain.training_support import SupportGroup


class TraineeNotFound(NotFound):
    code = "trainee_not_found"

    def __init__(self) -> None:
        super().__init__("Không tìm thấy học viên", "No such trainee")


class DuplicateTrainee(Conflict):
    code = "duplicate_trainee"

    def __init__(self, trainee_id: uuid.UUID, commune_code: str) -> None:
        super().__init__(
            f"Người này đã là học viên (mã {trainee_id}), xã/phường mã {commune_code}",
            f"This person is already a trainee ({trainee_id}), commune {commune_code}",
        )
        self.trainee_id = trainee_id


@dataclass(frozen=True)
class NewTrainee:
    """The intake form (validated like a worker's file) and the support facts."""

    person: SubmitRegistration
    support_groups: frozenset[SupportGroup]
    difficult_commune: bool
    other_state_support: str | None  # the other policy's code, when one already paid


class TraineeErased(Conflict):
    code = "trainee_erased"

    def __init__(self) -> None:
        super().__init__(
            "Dữ liệu cá nhân của học viên này đã được xoá theo yêu cầu; không ghi thêm được",
            "This trainee's personal data was erased on request; nothing more can be recorded",
        )


async def load_trainee(
    store: TraineeStore,
    conn: Conn,
    actor: Principal,
    trainee_id: uuid.UUID,
    *,
    lock: bool = False,
    erased_too: bool = False,
) -> TraineeRow:
    """The trainee if the actor may act on them; one outside the scope looks like none. A step
    that changes something (it locks) is refused on an erased trainee, unless it says so."""
    row = await store.find(conn, trainee_id, lock=lock)
    if row is None or not may_act_on(actor, row.commune_code, row.province_code):
        raise TraineeNotFound
    if lock and row.erased and not erased_too:
        raise TraineeErased
    return row


def row_of(
    person: Registration, new: NewTrainee, vault: PersonalDataVault, by: str
) -> TraineeInsert:
    """The row's values, sealed and hashed: computed before any transaction is open."""
    return TraineeInsert(
        id=person.id,
        full_name=person.full_name,
        cccd_ciphertext=vault.seal_cccd(person.cccd),
        cccd_blind_index=vault.cccd_index(person.cccd),
        date_of_birth=person.date_of_birth,
        gender=person.gender,
        phone_ciphertext=vault.seal_phone(person.phone_e164),
        commune_code=person.commune_code,
        province_code=person.province_code,
        ethnicity_ciphertext=vault.seal_sensitive(person.ethnicity_code, ETHNICITY_PURPOSE),
        poverty_ciphertext=vault.seal_sensitive(person.household_poverty, POVERTY_PURPOSE),
        hamlet=person.details.hamlet,
        consents={p.value: g for p, g in person.consents.answers.items()},
        consent_text_version=person.consents.text_version,
        support_groups=sorted(new.support_groups),
        difficult_commune=new.difficult_commune,
        registered_on=person.submitted_on,
        registered_by=by,
    )


def only_vocational(course: Course) -> None:
    if course.course_type != "vocational":
        raise CourseRefused(
            f"Khoá {course.code} không phải khoá học nghề; học viên ở lại địa phương chỉ ghi danh "
            "khoá học nghề",
            f"Course {course.code} is not a vocational course; trainees who stay enrol only in "
            "vocational courses",
        )


async def audit(
    conn: Conn,
    ctx: ChangeContext,
    action: str,
    trainee_id: uuid.UUID,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    await record_change(
        conn,
        ctx,
        action=action,
        entity_type="trainee",
        entity_id=str(trainee_id),
        before=before,
        after=after,
    )


# Personal fields appear in the audit trail as changed, never with their values.
_SEALED = "«sealed»"


def audit_view(person: Registration, new: NewTrainee) -> dict[str, object]:
    return {
        "full_name": _SEALED,
        "cccd": _SEALED,
        "date_of_birth": _SEALED,
        "phone": _SEALED,
        "ethnicity": _SEALED,
        "household_poverty": _SEALED,
        "gender": person.gender,
        "commune_code": person.commune_code,
        **{f"consent.{p.value}": g for p, g in person.consents.answers.items()},
        "consent_text_version": person.consents.text_version,
        "support_groups": sorted(new.support_groups),
        "difficult_commune": new.difficult_commune,
        "other_state_support": new.other_state_support,
    }
