"""Enterprise reputation (issue 17): officers' complaints about an enterprise, and the fee the
worker was charged, recorded with the contract.

Revision ID: 0016
Revises: 0015
"""

from xkld_shared.db.migrations import execute_script

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        CREATE TABLE enterprise_complaint (
            id               uuid PRIMARY KEY,
            enterprise_code  text NOT NULL REFERENCES enterprise (code),
            category         text NOT NULL,
            complained_on    date NOT NULL,
            details          text NOT NULL,  -- free text: stays here, never on an event
            recorded_by      text NOT NULL,
            recorded_at      timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX ON enterprise_complaint (enterprise_code, complained_on);
        -- Integer VND; null when the officer entered no fee.
        ALTER TABLE employment_contract ADD COLUMN fee_vnd bigint CHECK (fee_vnd >= 0);
        """
    )


def downgrade() -> None:
    execute_script(
        """DROP TABLE enterprise_complaint;
           ALTER TABLE employment_contract DROP COLUMN fee_vnd;"""
    )
