"""Erasing a trainee's personal data on request: the personal columns may be empty, but only
once the trainee is marked erased.

Revision ID: 0010
Revises: 0009
"""

from xkld_shared.db.migrations import execute_script

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        ALTER TABLE trainee
            ADD COLUMN erased_at timestamptz,
            ALTER COLUMN full_name DROP NOT NULL,
            ALTER COLUMN cccd_ciphertext DROP NOT NULL,
            ALTER COLUMN cccd_blind_index DROP NOT NULL,
            ALTER COLUMN date_of_birth DROP NOT NULL,
            ALTER COLUMN gender DROP NOT NULL,
            ALTER COLUMN phone_ciphertext DROP NOT NULL,
            ALTER COLUMN ethnicity_ciphertext DROP NOT NULL,
            ALTER COLUMN poverty_ciphertext DROP NOT NULL,
            -- A trainee not erased is whole: no personal column goes missing by accident.
            ADD CONSTRAINT trainee_whole_unless_erased CHECK (
                erased_at IS NOT NULL OR (
                    full_name IS NOT NULL AND cccd_ciphertext IS NOT NULL
                    AND cccd_blind_index IS NOT NULL AND date_of_birth IS NOT NULL
                    AND gender IS NOT NULL AND phone_ciphertext IS NOT NULL
                    AND ethnicity_ciphertext IS NOT NULL AND poverty_ciphertext IS NOT NULL));
        """
    )


def downgrade() -> None:
    # The columns stay nullable: erased rows cannot be made whole again.
    execute_script(
        """
        ALTER TABLE trainee DROP CONSTRAINT trainee_whole_unless_erased, DROP COLUMN erased_at;
        """
    )
