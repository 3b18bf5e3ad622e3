"""Registration files, with the outbox and inbox.

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
        CREATE TABLE registration (
            id                uuid PRIMARY KEY,
            full_name         text        NOT NULL,
            cccd_ciphertext   text        NOT NULL,
            cccd_blind_index  bytea       NOT NULL,
            date_of_birth     date        NOT NULL,
            gender            text        NOT NULL CHECK (gender IN ('male', 'female')),
            phone_ciphertext  text        NOT NULL,
            commune_code      text        NOT NULL,
            sms_consent       boolean     NOT NULL,
            status            text        NOT NULL,
            submitted_on      date        NOT NULL,
            created_at        timestamptz NOT NULL DEFAULT now(),
            updated_at        timestamptz NOT NULL DEFAULT now()
        );
        -- One active file per person, enforced by the database even under concurrent submits.
        CREATE UNIQUE INDEX registration_one_active_per_cccd ON registration (cccd_blind_index)
            WHERE status NOT IN ('withdrawn', 'rejected', 'returned_completed', 'returned_early');
        CREATE INDEX registration_by_commune ON registration (commune_code, status);
        """
    )


def downgrade() -> None:
    execute_script("DROP TABLE registration")
    execute_script(DROP_MESSAGING_DDL)
