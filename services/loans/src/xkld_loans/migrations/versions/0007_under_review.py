"""The under_review step: who is reviewing an application; still one open application per file.

Revision ID: 0007
Revises: 0006
"""

from xkld_shared.db.migrations import execute_script

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        ALTER TABLE loan_application ADD COLUMN reviewer text;
        DROP INDEX loan_application_one_open;
        CREATE UNIQUE INDEX loan_application_one_open ON loan_application (registration_id)
            WHERE status IN ('application_received', 'under_review', 'proposed', 'approved',
                             'disbursed', 'frozen');
        """
    )


def downgrade() -> None:
    execute_script(
        """
        DROP INDEX loan_application_one_open;
        CREATE UNIQUE INDEX loan_application_one_open ON loan_application (registration_id)
            WHERE status IN ('application_received', 'proposed', 'approved', 'disbursed',
                             'frozen');
        ALTER TABLE loan_application DROP COLUMN reviewer;
        """
    )
