"""Projections in schema `rp` (rebuildable), targets, and the audit trail.

The first slice's per-commune counter becomes a view over the new monthly counters, so its
readers keep working.

Revision ID: 0002
Revises: 0001
"""

from xkld_shared.db.migrations import execute_script
from xkld_shared.db.schema import AUDIT_DDL

from xkld_reporting.adapters.projection_schema import LIVE, base_ddl

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("DROP TABLE registrations_by_commune; DROP TABLE stream_position;")
    execute_script(base_ddl(LIVE))
    execute_script(
        f"""
        CREATE VIEW registrations_by_commune AS
            SELECT commune_code, sum(n)::bigint AS registered FROM {LIVE}.monthly
            WHERE indicator = 'registered' GROUP BY commune_code;
        -- Targets are what people set, not projected from events: outside the rebuilt schema.
        CREATE TABLE target (
            area_code   text   NOT NULL CHECK (area_code ~ '^(\\d{{2}}|\\d{{5}})$'),
            year        int    NOT NULL CHECK (year BETWEEN 2000 AND 2100),
            quarter     int    NOT NULL DEFAULT 0 CHECK (quarter BETWEEN 0 AND 4),
            indicator   text   NOT NULL,
            market      text   NOT NULL DEFAULT '',
            value       bigint NOT NULL CHECK (value >= 0),
            updated_at  timestamptz NOT NULL DEFAULT now(),
            updated_by  text   NOT NULL,
            PRIMARY KEY (area_code, year, quarter, indicator, market)
        );
        """
    )
    execute_script(AUDIT_DDL)


def downgrade() -> None:
    execute_script(
        "DROP SCHEMA audit CASCADE; DROP TABLE target; DROP VIEW registrations_by_commune"
    )
    execute_script(f"DROP SCHEMA {LIVE} CASCADE")
    execute_script(
        """CREATE TABLE registrations_by_commune (commune_code text PRIMARY KEY,
               registered bigint NOT NULL CHECK (registered >= 0));
           CREATE TABLE stream_position (stream text PRIMARY KEY,
               last_event_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);"""
    )
