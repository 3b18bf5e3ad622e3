"""A household's poverty status from the official list, at intake and each year after the
worker's return (issue 17).

Revision ID: 0014
Revises: 0013
"""

from xkld_shared.db.migrations import execute_script

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        CREATE TABLE poverty_status (
            registration_id uuid        NOT NULL REFERENCES registration (id),
            basis           text        NOT NULL CHECK (basis IN ('intake', 'after_return')),
            list_year       int         NOT NULL,
            status          text        NOT NULL CHECK (status IN ('poor', 'near_poor',
                                'neither')),
            recorded_on     date        NOT NULL,
            recorded_by     text        NOT NULL,
            recorded_at     timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (registration_id, basis, list_year)
        );
        -- One intake status per file, whatever the list's year.
        CREATE UNIQUE INDEX poverty_status_one_intake ON poverty_status (registration_id)
            WHERE basis = 'intake';
        """
    )


def downgrade() -> None:
    execute_script("DROP TABLE poverty_status")
