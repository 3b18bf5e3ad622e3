"""Registrations per commune, stream positions, with the outbox and inbox.

Revision ID: 0001
Revises:
"""

from xkld_shared.db.migrations import execute_script
from xkld_shared.db.schema import DROP_MESSAGING_DDL, INBOX_DDL, OUTBOX_DDL

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(OUTBOX_DDL)
    execute_script(INBOX_DDL)
    execute_script(
        """
        CREATE TABLE registrations_by_commune (
            commune_code  text   PRIMARY KEY,
            registered    bigint NOT NULL CHECK (registered >= 0)
        );
        CREATE TABLE stream_position (
            stream         text PRIMARY KEY,
            last_event_at  timestamptz NOT NULL,
            updated_at     timestamptz NOT NULL
        );
        """
    )


def downgrade() -> None:
    execute_script("DROP TABLE stream_position")
    execute_script("DROP TABLE registrations_by_commune")
    execute_script(DROP_MESSAGING_DDL)
