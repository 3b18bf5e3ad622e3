"""Reintegration outcomes 3 and 6 months after the return (issue 17).

Revision ID: 0013
Revises: 0012
"""

from xkld_shared.db.migrations import execute_script

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        CREATE TABLE reintegration_outcome (
            registration_id   uuid        NOT NULL REFERENCES registration (id),
            checkpoint_months int         NOT NULL CHECK (checkpoint_months IN (3, 6)),
            outcome           text        NOT NULL CHECK (outcome IN ('job_found', 'training',
                                  'business_loan', 'nothing_yet')),
            observed_on       date        NOT NULL,
            note              text,
            recorded_by       text        NOT NULL,
            recorded_at       timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (registration_id, checkpoint_months)
        );
        """
    )


def downgrade() -> None:
    execute_script("DROP TABLE reintegration_outcome")
