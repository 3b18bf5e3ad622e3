"""The commune and province of each contact, so staff reads can be scoped.

Revision ID: 0002
Revises: 0001
"""

from xkld_shared.db.migrations import execute_script

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        "ALTER TABLE contact ADD COLUMN commune_code text, ADD COLUMN province_code text;"
    )


def downgrade() -> None:
    execute_script("ALTER TABLE contact DROP COLUMN commune_code, DROP COLUMN province_code;")
