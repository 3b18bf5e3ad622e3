"""Yearly and quarterly totals per commune and province (`rp.rollup`), filled from the monthly
counters already projected; the projector keeps both from now on. The monthly counters keep
free space and leave `n`/`amount_vnd` out of the province index, so increments are HOT updates.

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
    execute_script(
        f"""DROP TABLE {LIVE}.rollup;
            ALTER TABLE {LIVE}.monthly RESET (fillfactor);
            DROP INDEX {LIVE}.monthly_by_province;
            CREATE INDEX monthly_by_province ON {LIVE}.monthly (province_code, indicator, month)
                INCLUDE (commune_code, market, n, amount_vnd);
            UPDATE {LIVE}.meta SET version = 1;"""
    )
