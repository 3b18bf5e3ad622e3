"""Messages wait for a contact not known yet; erased workers are remembered as such.

Revision ID: 0005
Revises: 0004
"""

from xkld_shared.db.migrations import execute_script

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        ALTER TABLE sms_message
            DROP CONSTRAINT sms_message_status_check,
            ADD CONSTRAINT sms_message_status_check CHECK (status IN ('pending',
                'awaiting_contact', 'sent', 'delivered', 'failed', 'suppressed', 'cancelled'));
        -- Found when a contact arrives, and by the dispatcher's sweep.
        CREATE INDEX sms_message_awaiting ON sms_message (registration_id)
            WHERE status = 'awaiting_contact';
        -- An erased worker's contact row is gone; this says why, so that a later loan event
        -- is suppressed ('erased') instead of waiting for a contact that will never come.
        CREATE TABLE erased_contact (
            registration_id uuid PRIMARY KEY,
            erased_at       timestamptz NOT NULL
        );
        """
    )


def downgrade() -> None:
    execute_script(
        """
        DROP TABLE erased_contact;
        DROP INDEX sms_message_awaiting;
        UPDATE sms_message SET status = 'suppressed', suppressed_reason = 'no_contact'
            WHERE status = 'awaiting_contact';
        ALTER TABLE sms_message
            DROP CONSTRAINT sms_message_status_check,
            ADD CONSTRAINT sms_message_status_check CHECK (status IN
                ('pending', 'sent', 'delivered', 'failed', 'suppressed', 'cancelled'));
        """
    )
