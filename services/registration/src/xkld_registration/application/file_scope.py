"""A worker's file as one use case may act on it: outside the actor's scope it does not exist."""

from __future__ import annotations

import uuid

from xkld_shared.db.pool import Conn
from xkld_shared.identity.principal import Principal

from xkld_registration.application.ports import JourneyFile, JourneyFiles
from xkld_registration.application.queries import RegistrationNotFound
from xkld_registration.application.scope import may_act_on


async def file_in_scope(
    files: JourneyFiles, conn: Conn, rid: uuid.UUID, actor: Principal, *, lock: bool = True
) -> JourneyFile:
    file = await files.load_file(conn, rid, lock=lock)
    if file is None or not may_act_on(actor, file.commune_code, file.province_code):
        raise RegistrationNotFound
    return file
