"""The bank's loan application, linked to the labour-export file it came from."""

from __future__ import annotations

import uuid

from xkld_shared.db.pool import Conn


async def link_requested_application(
    conn: Conn, registration_id: uuid.UUID, request_id: uuid.UUID, application_id: uuid.UUID
) -> None:
    """Links the application only when the file asked for it (by its loan request)."""
    await conn.execute(
        """UPDATE registration SET loan_application_id = $3
           WHERE id = $1 AND loan_request_id = $2""",
        registration_id,
        request_id,
        application_id,
    )


async def link_decided_application(
    conn: Conn, registration_id: uuid.UUID, application_id: uuid.UUID
) -> None:
    """A decision names the application; a file that has none linked yet takes it."""
    await conn.execute(
        """UPDATE registration SET loan_application_id = coalesce(loan_application_id, $2)
           WHERE id = $1""",
        registration_id,
        application_id,
    )
