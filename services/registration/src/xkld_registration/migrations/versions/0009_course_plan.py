"""The yearly course plan (đặt hàng): lines a labour officer sets for a commune, and the trade
and plan line a course may carry.

Revision ID: 0009
Revises: 0008
"""

from xkld_shared.db.migrations import execute_script

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        -- One line of a year's plan: a trade ordered from a training institution for one
        -- commune. Setting a line again replaces it; a withdrawn line stays, marked, so the
        -- courses that filled it keep pointing at something.
        CREATE TABLE course_plan_line (
            id                uuid PRIMARY KEY,
            plan_year         integer     NOT NULL CHECK (plan_year BETWEEN 2000 AND 2100),
            province_code     text        NOT NULL,
            commune_code      text        NOT NULL,
            trade_code        text        NOT NULL,
            trade_title       text        NOT NULL,
            institution       text        NOT NULL,
            places            integer     NOT NULL CHECK (places > 0),
            planned_starts_on date        NOT NULL,
            planned_ends_on   date        NOT NULL,
            budget_vnd        bigint      NOT NULL CHECK (budget_vnd >= 0),
            withdrawn_on      date,
            set_by            text        NOT NULL,
            updated_at        timestamptz NOT NULL DEFAULT now(),
            CHECK (planned_ends_on >= planned_starts_on)
        );
        CREATE INDEX course_plan_line_by_year ON course_plan_line (plan_year, commune_code);

        ALTER TABLE course
            ADD COLUMN trade_code   text,
            ADD COLUMN plan_line_id uuid REFERENCES course_plan_line (id);
        CREATE INDEX course_by_plan_line ON course (plan_line_id)
            WHERE plan_line_id IS NOT NULL;
        """
    )


def downgrade() -> None:
    execute_script(
        """
        ALTER TABLE course DROP COLUMN plan_line_id, DROP COLUMN trade_code;
        DROP TABLE course_plan_line;
        """
    )
