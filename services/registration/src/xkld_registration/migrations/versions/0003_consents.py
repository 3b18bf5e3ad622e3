"""Consent per purpose: every answer kept, with who took it, when, and the text version.

Revision ID: 0003
Revises: 0002
"""

from xkld_shared.db.migrations import execute_script

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        CREATE TABLE consent (
            id               bigserial PRIMARY KEY,
            registration_id  uuid        NOT NULL REFERENCES registration (id),
            purpose          text        NOT NULL CHECK (purpose IN ('registration_processing',
                                 'sms_notifications', 'share_with_enterprise', 'share_with_bank')),
            granted          boolean     NOT NULL,
            text_version     text        NOT NULL,
            recorded_by      text        NOT NULL,
            recorded_by_name text        NOT NULL,
            recorded_at      timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX consent_by_registration ON consent (registration_id, purpose, id);
        """
    )


def downgrade() -> None:
    execute_script("DROP TABLE consent;")
