"""Province of each file (for area-scoped access), and the append-only audit trail.

Revision ID: 0002
Revises: 0001
"""

from xkld_shared.db.migrations import execute_script
from xkld_shared.db.schema import AUDIT_DDL

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        ALTER TABLE registration ADD COLUMN province_code text;
        CREATE INDEX registration_by_province ON registration (province_code, commune_code);
        """
    )
    execute_script(AUDIT_DDL)


def downgrade() -> None:
    execute_script("DROP SCHEMA audit CASCADE; ALTER TABLE registration DROP COLUMN province_code;")
