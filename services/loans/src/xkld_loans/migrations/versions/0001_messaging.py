"""The outbox and inbox; the loan tables come with the loans issue.

Revision ID: 0001
Revises:
"""

from xkld_shared.db.migrations import execute_script
from xkld_shared.db.schema import DROP_MESSAGING_DDL, INBOX_DDL, OUTBOX_DDL

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(OUTBOX_DDL)
    execute_script(INBOX_DDL)


def downgrade() -> None:
    execute_script(DROP_MESSAGING_DDL)
