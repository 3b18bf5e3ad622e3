"""Ethnicity and household poverty status: sensitive data, sealed at rest like the CCCD.

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
        ALTER TABLE registration
            ADD COLUMN ethnicity_ciphertext text,
            ADD COLUMN poverty_ciphertext text,
            ADD CONSTRAINT registration_erased_means_no_sensitive_data CHECK (
                erased_at IS NULL OR (ethnicity_ciphertext IS NULL AND poverty_ciphertext IS NULL));
        """
    )


def downgrade() -> None:
    execute_script(
        """
        ALTER TABLE registration DROP CONSTRAINT registration_erased_means_no_sensitive_data,
            DROP COLUMN ethnicity_ciphertext, DROP COLUMN poverty_ciphertext;
        """
    )
