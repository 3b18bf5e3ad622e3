"""Tracing (issue 18): the W3C traceparent of the span that wrote each outbox row, so the relay
can carry it into the Kafka record's headers.

Revision ID: 0007
Revises: 0006
"""

from xkld_shared.db.migrations import execute_script

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("ALTER TABLE outbox ADD COLUMN traceparent text;")


def downgrade() -> None:
    execute_script("ALTER TABLE outbox DROP COLUMN traceparent;")
