"""Regimes added or closed by labour officers and bank managers, on top of the shipped data.

Revision ID: 0006
Revises: 0005
"""

from xkld_shared.db.migrations import execute_script

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        -- A regime added through the API, in the shape of regimes.json's entries.
        CREATE TABLE added_regime (
            code        text PRIMARY KEY,
            document    jsonb       NOT NULL,
            added_by    text        NOT NULL,
            added_at    timestamptz NOT NULL DEFAULT now()
        );
        -- An end date set through the API for a shipped or an added regime (exclusive).
        CREATE TABLE regime_closure (
            code          text PRIMARY KEY,
            effective_to  date        NOT NULL,
            closed_by     text        NOT NULL,
            closed_at     timestamptz NOT NULL DEFAULT now()
        );
        """
    )


def downgrade() -> None:
    execute_script("DROP TABLE regime_closure; DROP TABLE added_regime;")
