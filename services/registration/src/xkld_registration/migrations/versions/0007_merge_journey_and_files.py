"""Joins the journey (0006a) and the files (0006b) branches of the schema.

Revision ID: 0007
Revises: 0006a, 0006b
"""

revision = "0007"
down_revision = ("0006a", "0006b")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to do: the two branches touch different tables and columns."""


def downgrade() -> None:
    """Nothing to undo."""
