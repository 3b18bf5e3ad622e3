"""Repayments, and what each instalment has been paid.

Revision ID: 0004
Revises: 0003
"""

from xkld_shared.db.migrations import execute_script

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        ALTER TABLE installment
            ADD COLUMN principal_paid_vnd bigint NOT NULL DEFAULT 0
                CHECK (principal_paid_vnd >= 0 AND principal_paid_vnd <= principal_vnd),
            ADD COLUMN interest_paid_vnd bigint NOT NULL DEFAULT 0
                CHECK (interest_paid_vnd >= 0 AND interest_paid_vnd <= interest_vnd),
            ADD COLUMN overdue_interest_vnd bigint NOT NULL DEFAULT 0
                CHECK (overdue_interest_vnd >= 0),
            ADD COLUMN overdue_interest_paid_vnd bigint NOT NULL DEFAULT 0
                CHECK (overdue_interest_paid_vnd >= 0
                       AND overdue_interest_paid_vnd <= overdue_interest_vnd),
            DROP CONSTRAINT installment_opening_balance_vnd_check,
            -- A fully prepaid loan leaves its later instalments at zero.
            ADD CONSTRAINT installment_opening_balance_not_negative
                CHECK (opening_balance_vnd >= 0);
        CREATE TABLE repayment (
            id                   uuid PRIMARY KEY,
            loan_application_id  uuid        NOT NULL REFERENCES disbursement (loan_application_id),
            amount_vnd           bigint      NOT NULL CHECK (amount_vnd > 0),
            paid_on              date        NOT NULL,
            allocation           jsonb       NOT NULL,
            recorded_by          text        NOT NULL,
            created_at           timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX repayment_by_loan ON repayment (loan_application_id, paid_on);
        """
    )


def downgrade() -> None:
    execute_script("DROP TABLE repayment;")
