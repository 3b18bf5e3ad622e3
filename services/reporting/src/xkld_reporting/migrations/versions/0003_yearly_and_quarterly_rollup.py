"""Yearly and quarterly totals per commune and province (`rp.rollup`), filled from the monthly
counters already projected; the projector keeps both from now on.

Revision ID: 0003
Revises: 0002
"""

from xkld_shared.db.migrations import execute_script

from xkld_reporting.adapters.projection_schema import LIVE, rollup_backfill, rollup_ddl

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(rollup_ddl(LIVE))
    execute_script(rollup_backfill(LIVE))


def downgrade() -> None:
    execute_script(f"DROP TABLE {LIVE}.rollup; UPDATE {LIVE}.meta SET version = 1;")
