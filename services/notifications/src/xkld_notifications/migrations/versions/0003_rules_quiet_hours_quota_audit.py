"""Template versions, urgency, cancellation, the daily quota, enrolments, phone lookup, audit.

Revision ID: 0003
Revises: 0002
"""

from xkld_shared.db.migrations import execute_script
from xkld_shared.db.schema import AUDIT_DDL, IDEMPOTENCY_DDL

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(AUDIT_DDL)
    execute_script(IDEMPOTENCY_DDL)
    execute_script(
        """
        ALTER TABLE sms_message
            ADD COLUMN template_version int     NOT NULL DEFAULT 1,
            ADD COLUMN urgent           boolean NOT NULL DEFAULT false,
            ADD COLUMN quota_day        date,
            ADD COLUMN failed_at        timestamptz,
            DROP CONSTRAINT sms_message_status_check,
            ADD CONSTRAINT sms_message_status_check CHECK (status IN
                ('pending', 'sent', 'delivered', 'failed', 'suppressed', 'cancelled')),
            DROP CONSTRAINT sms_message_segments_check,
            ADD CONSTRAINT sms_message_segments_check CHECK (segments >= 0);
        -- Keyed hash of the E.164 number: an inbound "STOP" finds its contact without
        -- storing or scanning plaintext.
        ALTER TABLE contact ADD COLUMN phone_index bytea;
        CREATE INDEX contact_by_phone ON contact (phone_index);
        -- Messages counted against the daily limit, per recipient and local day.
        CREATE TABLE sms_quota (
            registration_id uuid NOT NULL,
            day             date NOT NULL,
            used            int  NOT NULL,
            PRIMARY KEY (registration_id, day)
        );
        -- Who is in which course, from TrainingEnrolled: manual messages to a course.
        CREATE TABLE enrolment (
            course_id       uuid NOT NULL,
            registration_id uuid NOT NULL,
            PRIMARY KEY (course_id, registration_id)
        );
        """
    )


def downgrade() -> None:
    execute_script(
        """
        DROP TABLE enrolment; DROP TABLE sms_quota; DROP TABLE idempotency_key;
        DROP INDEX contact_by_phone; ALTER TABLE contact DROP COLUMN phone_index;
        DELETE FROM sms_message WHERE status = 'cancelled';
        ALTER TABLE sms_message DROP COLUMN template_version, DROP COLUMN urgent,
            DROP COLUMN quota_day, DROP COLUMN failed_at,
            DROP CONSTRAINT sms_message_status_check,
            ADD CONSTRAINT sms_message_status_check CHECK (status IN
                ('pending', 'sent', 'delivered', 'failed', 'suppressed')),
            DROP CONSTRAINT sms_message_segments_check,
            ADD CONSTRAINT sms_message_segments_check CHECK (segments > 0);
        DROP SCHEMA audit CASCADE;
        """
    )
