"""Trainees' replies to the follow-up about work (issue 19).

Revision ID: 0007
Revises: 0006
"""

from xkld_shared.db.migrations import execute_script

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        -- One row per inbound message (its id comes from the message, so a redelivered
        -- callback inserts nothing). No phone and no text: the outcome, or NULL when the
        -- reply was not understood. The commune, from TraineeRegistered, scopes the readers.
        CREATE TABLE trainee_work_reply (
            id             uuid        PRIMARY KEY,
            trainee_id     uuid        NOT NULL,
            course_id      uuid        NOT NULL,
            follow_up_id   uuid        NOT NULL,
            outcome        text        CHECK (outcome IN ('work_in_trade', 'other_work',
                               'own_business', 'went_abroad', 'no_work_yet')),
            received_at    timestamptz NOT NULL,
            commune_code   text        NOT NULL,
            province_code  text
        );
        CREATE INDEX trainee_work_reply_recent ON trainee_work_reply (received_at DESC);
        CREATE INDEX trainee_work_reply_by_trainee ON trainee_work_reply (trainee_id);
        """
    )


def downgrade() -> None:
    execute_script("DROP TABLE trainee_work_reply")
