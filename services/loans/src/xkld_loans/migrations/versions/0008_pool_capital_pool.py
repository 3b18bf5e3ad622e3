"""The provincial capital pool: yearly allocations entrusted to VBSP, draws and repayments.

Revision ID: 0008
Revises: 0007
"""

from xkld_shared.db.migrations import execute_script

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        -- One row per province and year. A draw is a conditional UPDATE of this row in the
        -- approval's transaction; the CHECK is the last guard against an overdrawn pool.
        CREATE TABLE capital_pool (
            province_code  text   NOT NULL,
            year           int    NOT NULL CHECK (year BETWEEN 2000 AND 2100),
            allocated_vnd  bigint NOT NULL DEFAULT 0 CHECK (allocated_vnd >= 0),
            lent_vnd       bigint NOT NULL DEFAULT 0 CHECK (lent_vnd >= 0),
            repaid_vnd     bigint NOT NULL DEFAULT 0 CHECK (repaid_vnd >= 0),
            PRIMARY KEY (province_code, year),
            CONSTRAINT capital_pool_not_overdrawn CHECK (lent_vnd <= allocated_vnd + repaid_vnd)
        );
        -- Every movement, so the totals above can be recounted from their sources.
        CREATE TABLE capital_pool_movement (
            id                   uuid PRIMARY KEY,
            province_code        text   NOT NULL,
            year                 int    NOT NULL,
            kind                 text   NOT NULL
                CHECK (kind IN ('allocation', 'draw', 'withdrawal', 'repayment')),
            amount_vnd           bigint NOT NULL CHECK (amount_vnd > 0),
            loan_application_id  uuid REFERENCES loan_application (id),
            on_date              date   NOT NULL,
            reference            text,
            recorded_by          text   NOT NULL,
            recorded_at          timestamptz NOT NULL DEFAULT now(),
            FOREIGN KEY (province_code, year) REFERENCES capital_pool (province_code, year)
        );
        -- A loan draws once; a second draw for it is a bug, refused by the database.
        CREATE UNIQUE INDEX capital_pool_one_draw ON capital_pool_movement (loan_application_id)
            WHERE kind = 'draw';
        """
    )


def downgrade() -> None:
    execute_script("DROP TABLE capital_pool_movement; DROP TABLE capital_pool;")
