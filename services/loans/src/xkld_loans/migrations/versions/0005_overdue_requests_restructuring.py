"""Overdue detection, applications from registration, review flags and restructuring.

Revision ID: 0005
Revises: 0004
"""

from xkld_shared.db.migrations import execute_script

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        ALTER TABLE installment
            -- The first day the daily job found it past due; set once, so its event is once.
            ADD COLUMN overdue_since date,
            -- Overdue interest has been counted up to and including this day.
            ADD COLUMN overdue_accrued_to date;
        -- The job's scan: only instalments that still owe something.
        CREATE INDEX installment_unpaid_due ON installment (due_on, loan_application_id)
            WHERE principal_paid_vnd < principal_vnd OR interest_paid_vnd < interest_vnd;

        ALTER TABLE loan_application
            ADD COLUMN loan_request_id uuid UNIQUE,
            ADD COLUMN review_flag text,
            ADD COLUMN review_flagged_on date;
        DROP INDEX loan_application_one_open;
        CREATE UNIQUE INDEX loan_application_one_open ON loan_application (registration_id)
            WHERE status IN ('application_received', 'proposed', 'approved', 'disbursed',
                             'frozen');

        CREATE TABLE overdue_run (
            as_of           date PRIMARY KEY,
            started_at      timestamptz NOT NULL DEFAULT now(),
            finished_at     timestamptz,
            newly_overdue   int NOT NULL DEFAULT 0
        );

        CREATE TABLE restructuring (
            id                   uuid PRIMARY KEY,
            loan_application_id  uuid        NOT NULL REFERENCES disbursement (loan_application_id),
            kind                 text        NOT NULL
                                 CHECK (kind IN ('extended', 'frozen', 'written_off')),
            effective_on         date        NOT NULL,
            details              jsonb       NOT NULL,
            recorded_by          text        NOT NULL,
            created_at           timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX restructuring_by_loan ON restructuring (loan_application_id, effective_on);
        """
    )


def downgrade() -> None:
    execute_script(
        """
        DROP TABLE restructuring; DROP TABLE overdue_run;
        DROP INDEX installment_unpaid_due;
        ALTER TABLE installment DROP COLUMN overdue_since, DROP COLUMN overdue_accrued_to;
        ALTER TABLE loan_application DROP COLUMN loan_request_id, DROP COLUMN review_flag,
            DROP COLUMN review_flagged_on;
        DROP INDEX loan_application_one_open;
        CREATE UNIQUE INDEX loan_application_one_open ON loan_application (registration_id)
            WHERE status IN ('application_received', 'proposed', 'approved', 'disbursed');
        """
    )
