"""Erasure of a survey member who never registered (issue 16): the moment, who, and why.

Revision ID: 0004
Revises: 0003
"""

from xkld_shared.db.migrations import execute_script

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        ALTER TABLE survey_member ADD COLUMN erased_at timestamptz;
        ALTER TABLE survey_member ADD COLUMN erased_by text;
        ALTER TABLE survey_member ADD COLUMN erasure_reason text;
        -- An erased member holds nothing that names or reaches them; the database says so too.
        ALTER TABLE survey_member ADD CONSTRAINT erased_member_is_anonymous
            CHECK (erased_at IS NULL OR (full_name IS NULL AND phone_sealed IS NULL));
        """
    )


def downgrade() -> None:
    execute_script(
        """
        ALTER TABLE survey_member DROP CONSTRAINT erased_member_is_anonymous;
        ALTER TABLE survey_member DROP COLUMN erasure_reason;
        ALTER TABLE survey_member DROP COLUMN erased_by;
        ALTER TABLE survey_member DROP COLUMN erased_at;
        """
    )
