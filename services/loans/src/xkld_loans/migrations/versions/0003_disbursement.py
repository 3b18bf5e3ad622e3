"""Disbursements (one per loan), their repayment schedules, and idempotency keys.

Revision ID: 0003
Revises: 0002
"""

from xkld_shared.db.migrations import execute_script
from xkld_shared.db.schema import IDEMPOTENCY_DDL

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(IDEMPOTENCY_DDL)
    execute_script(
        """
        CREATE TABLE disbursement (
            -- The primary key is the loan: a second disbursement cannot exist, whatever the key.
            loan_application_id  uuid PRIMARY KEY REFERENCES loan_application (id),
            amount_vnd           bigint      NOT NULL CHECK (amount_vnd > 0),
            disbursed_on         date        NOT NULL,
            channel              text        NOT NULL,
            recorded_by          text        NOT NULL,
            created_at           timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE installment (
            loan_application_id  uuid   NOT NULL REFERENCES disbursement (loan_application_id),
            number               int    NOT NULL CHECK (number > 0),
            due_on               date   NOT NULL,
            opening_balance_vnd  bigint NOT NULL CHECK (opening_balance_vnd > 0),
            principal_vnd        bigint NOT NULL CHECK (principal_vnd >= 0),
            interest_vnd         bigint NOT NULL CHECK (interest_vnd >= 0),
            PRIMARY KEY (loan_application_id, number)
        );
        CREATE INDEX installment_due ON installment (due_on);
        DROP INDEX loan_application_one_open;
        CREATE UNIQUE INDEX loan_application_one_open ON loan_application (registration_id)
            WHERE status IN ('application_received', 'proposed', 'approved', 'disbursed');
        """
    )


def downgrade() -> None:
    execute_script("DROP TABLE installment; DROP TABLE disbursement; DROP TABLE idempotency_key;")
