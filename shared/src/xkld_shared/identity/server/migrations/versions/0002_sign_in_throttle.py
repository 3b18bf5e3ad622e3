"""Failed sign-ins counted per (username, source address) pair, not per account.

`failed_logins` on the account let anyone lock anyone out by sending wrong passwords; it is
replaced by `sign_in_throttle`. Rows are keyed by the username as typed (normalised), so an
unknown username is slowed down exactly like a real one and the answers reveal nothing.
`evidence_since` on the account is when failures start counting towards a distributed-attack
lock again (after a lock ends, or an administrator unlocks).

Revision ID: 0002
Revises: 0001
"""

from xkld_shared.db.migrations import execute_script

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        CREATE TABLE sign_in_throttle (
            username         text        NOT NULL,
            source           text        NOT NULL,
            account_id       uuid        REFERENCES account (id),
            failures         integer     NOT NULL CHECK (failures > 0),
            last_failure_at  timestamptz NOT NULL,
            blocked_until    timestamptz,
            PRIMARY KEY (username, source)
        );
        CREATE INDEX sign_in_throttle_by_account ON sign_in_throttle (account_id, last_failure_at)
            WHERE account_id IS NOT NULL;
        CREATE INDEX sign_in_throttle_by_age ON sign_in_throttle (last_failure_at);

        ALTER TABLE account DROP COLUMN failed_logins;
        ALTER TABLE account ADD COLUMN evidence_since timestamptz;
        """
    )


def downgrade() -> None:
    execute_script(
        """
        ALTER TABLE account DROP COLUMN evidence_since;
        ALTER TABLE account ADD COLUMN failed_logins integer NOT NULL DEFAULT 0
            CHECK (failed_logins >= 0);
        DROP TABLE sign_in_throttle;
        """
    )
