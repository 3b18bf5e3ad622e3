"""Messages remember the course they are about (rural trainees' follow-ups, issue 19).

Revision ID: 0006
Revises: 0005
"""

from xkld_shared.db.migrations import execute_script

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        -- A record for one course cancels that course's follow-up only, and a trainee's reply
        -- is matched to the course of the follow-up it answers.
        ALTER TABLE sms_message ADD COLUMN course_id uuid;
        CREATE INDEX sms_message_by_course ON sms_message (registration_id, template, course_id)
            WHERE course_id IS NOT NULL;
        """
    )


def downgrade() -> None:
    execute_script(
        "DROP INDEX sms_message_by_course; ALTER TABLE sms_message DROP COLUMN course_id;"
    )
