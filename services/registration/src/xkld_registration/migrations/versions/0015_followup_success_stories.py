"""Success stories for the district radio, with their own consent purpose (issue 17).

Revision ID: 0015
Revises: 0014
"""

from xkld_shared.db.migrations import execute_script

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        ALTER TABLE consent DROP CONSTRAINT consent_purpose_check;
        ALTER TABLE consent ADD CONSTRAINT consent_purpose_check CHECK (purpose IN (
            'registration_processing', 'sms_notifications', 'share_with_enterprise',
            'share_with_bank', 'success_story'));
        -- Deleted when the worker takes the consent back: no story outlives its consent.
        CREATE TABLE success_story (
            registration_id uuid        PRIMARY KEY REFERENCES registration (id),
            job             text        NOT NULL,
            savings_vnd     bigint      NOT NULL CHECK (savings_vnd >= 0),
            after_return    text        NOT NULL,
            written_by      text        NOT NULL,
            updated_at      timestamptz NOT NULL DEFAULT now()
        );
        """
    )


def downgrade() -> None:
    execute_script(
        """
        DROP TABLE success_story;
        DELETE FROM consent WHERE purpose = 'success_story';
        ALTER TABLE consent DROP CONSTRAINT consent_purpose_check;
        ALTER TABLE consent ADD CONSTRAINT consent_purpose_check CHECK (purpose IN (
            'registration_processing', 'sms_notifications', 'share_with_enterprise',
            'share_with_bank'));
        """
    )
