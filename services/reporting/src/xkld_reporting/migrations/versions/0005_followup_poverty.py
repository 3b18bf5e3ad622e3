"""Households' poverty status at intake and after return (issue 17). Remittances need no
table: they are a counter (`remittance`) in the monthly figures.

PovertyStatusRecorded events, and remittances on CheckInRecorded, published before this
version were skipped by the live consumer; a rebuild (`python -m xkld_reporting.rebuild`)
projects them.

Revision ID: 0005
Revises: 0004
"""

from xkld_shared.db.migrations import execute_script

from xkld_reporting.adapters.projection_schema import LIVE, poverty_ddl

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(poverty_ddl(LIVE))


def downgrade() -> None:
    execute_script(f"DROP TABLE {LIVE}.poverty; UPDATE {LIVE}.meta SET version = 3;")
