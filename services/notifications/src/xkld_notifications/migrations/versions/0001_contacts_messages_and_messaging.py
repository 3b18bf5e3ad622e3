"""Contacts, SMS messages, with the outbox and inbox.

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
        CREATE TABLE contact (
            registration_id   uuid PRIMARY KEY,
            phone_ciphertext  text        NOT NULL,
            sms_consent       boolean     NOT NULL,
            opted_out_at      timestamptz,
            updated_at        timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE sms_message (
            id                   uuid PRIMARY KEY,  -- uuid5(event_id, template); the RequestId
            registration_id      uuid        NOT NULL,
            event_id             uuid        NOT NULL,
            template             text        NOT NULL,
            body                 text        NOT NULL,
            encoding             text        NOT NULL CHECK (encoding IN ('gsm7', 'ucs2')),
            segments             int         NOT NULL CHECK (segments > 0),
            status               text        NOT NULL CHECK (status IN
                                     ('pending', 'sent', 'delivered', 'failed', 'suppressed')),
            suppressed_reason    text,
            attempts             int         NOT NULL DEFAULT 0,
            next_attempt_at      timestamptz NOT NULL DEFAULT now(),
            lease_until          timestamptz,
            last_error           text,
            provider_message_id  text,
            created_at           timestamptz NOT NULL DEFAULT now(),
            sent_at              timestamptz,
            delivered_at         timestamptz
        );
        CREATE INDEX sms_message_due ON sms_message (next_attempt_at) WHERE status = 'pending';
        CREATE INDEX sms_message_by_registration ON sms_message (registration_id, created_at);
        """
    )


def downgrade() -> None:
    execute_script("DROP TABLE sms_message")
    execute_script("DROP TABLE contact")
    execute_script(DROP_MESSAGING_DDL)
