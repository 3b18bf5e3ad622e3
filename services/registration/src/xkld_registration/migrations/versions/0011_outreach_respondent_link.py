"""A file made from a labour-demand survey respondent (outreach) remembers which one, once.

Revision ID: 0011
Revises: 0010
"""

from xkld_shared.db.migrations import execute_script

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        ALTER TABLE registration ADD COLUMN outreach_respondent_id uuid;
        -- One file per respondent: a second conversion finds the first instead of a twin.
        CREATE UNIQUE INDEX registration_by_outreach_respondent
            ON registration (outreach_respondent_id) WHERE outreach_respondent_id IS NOT NULL;
        """
    )


def downgrade() -> None:
    execute_script(
        "DROP INDEX registration_by_outreach_respondent; "
        "ALTER TABLE registration DROP COLUMN outreach_respondent_id;"
    )
