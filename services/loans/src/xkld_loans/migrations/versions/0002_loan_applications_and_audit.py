"""Loan applications up to the bank's decision, and the audit trail.

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
        CREATE TABLE loan_application (
            id                     uuid PRIMARY KEY,
            registration_id        uuid        NOT NULL,
            branch_code            text        NOT NULL,
            commune_code           text        NOT NULL,
            programme              text        NOT NULL,
            application_date       date        NOT NULL,
            priority_groups        text[]      NOT NULL,
            contract_costs_vnd     bigint      NOT NULL CHECK (contract_costs_vnd > 0),
            requested_vnd          bigint      NOT NULL CHECK (requested_vnd > 0),
            requested_term_months  int         NOT NULL CHECK (requested_term_months > 0),
            contract_term_months   int         NOT NULL CHECK (contract_term_months > 0),
            -- Stored as evaluated on the day: later policy changes do not rewrite history.
            evaluation             jsonb       NOT NULL,
            status                 text        NOT NULL,
            proposal               jsonb,
            decided_by             text,
            created_at             timestamptz NOT NULL DEFAULT now(),
            updated_at             timestamptz NOT NULL DEFAULT now()
        );
        -- One application in progress or approved per worker's file.
        CREATE UNIQUE INDEX loan_application_one_open ON loan_application (registration_id)
            WHERE status IN ('application_received', 'proposed', 'approved');
        CREATE INDEX loan_application_queue ON loan_application (branch_code, status, created_at);
        """
    )
    execute_script(AUDIT_DDL)


def downgrade() -> None:
    execute_script("DROP SCHEMA audit CASCADE; DROP TABLE loan_application;")
