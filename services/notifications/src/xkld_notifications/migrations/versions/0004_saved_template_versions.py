"""Template versions saved by staff; the rules file's version is the base they build on.

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
        CREATE TABLE sms_template (
            code          text        NOT NULL,
            version       int         NOT NULL CHECK (version > 1),
            text          text        NOT NULL,
            max_segments  int         NOT NULL CHECK (max_segments > 0),
            ucs2          boolean     NOT NULL,
            saved_by      text        NOT NULL,
            saved_at      timestamptz NOT NULL,
            PRIMARY KEY (code, version)
        );
        """
    )


def downgrade() -> None:
    execute_script("DROP TABLE sms_template")
