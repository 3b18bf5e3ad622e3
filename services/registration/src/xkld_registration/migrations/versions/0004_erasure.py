"""Erasure on request: personal columns may become empty, and the moment is kept.

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
        ALTER TABLE registration
            ALTER COLUMN full_name DROP NOT NULL,
            ALTER COLUMN cccd_ciphertext DROP NOT NULL,
            ALTER COLUMN cccd_blind_index DROP NOT NULL,
            ALTER COLUMN date_of_birth DROP NOT NULL,
            ALTER COLUMN gender DROP NOT NULL,
            ALTER COLUMN phone_ciphertext DROP NOT NULL,
            ADD COLUMN erased_at timestamptz,
            ADD CONSTRAINT registration_erased_means_empty CHECK (
                erased_at IS NULL OR (full_name IS NULL AND cccd_ciphertext IS NULL
                    AND cccd_blind_index IS NULL AND phone_ciphertext IS NULL
                    AND date_of_birth IS NULL AND gender IS NULL));
        """
    )


def downgrade() -> None:
    execute_script(
        """
        ALTER TABLE registration DROP CONSTRAINT registration_erased_means_empty,
            DROP COLUMN erased_at;
        """
    )
