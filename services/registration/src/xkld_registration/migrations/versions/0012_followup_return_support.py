"""The support owed after an early return, item by item, and its status (issue 17).

Revision ID: 0012
Revises: 0011
"""

from xkld_shared.db.migrations import execute_script

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        -- Only decided items have a row: an item the cause opens and nobody decided is due.
        CREATE TABLE return_support (
            registration_id uuid        NOT NULL REFERENCES registration (id),
            item_code       text        NOT NULL,
            status          text        NOT NULL CHECK (status IN ('due', 'given', 'refused')),
            decided_on      date        NOT NULL,
            amount_vnd      bigint      CHECK (amount_vnd >= 0),
            note            text,
            decided_by      text        NOT NULL,
            updated_at      timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (registration_id, item_code)
        );
        """
    )


def downgrade() -> None:
    execute_script("DROP TABLE return_support")
