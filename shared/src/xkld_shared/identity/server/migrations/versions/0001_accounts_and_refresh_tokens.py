"""Accounts, refresh tokens (stored only as hashes) and the append-only account audit log.

Revision ID: 0001
Revises:
"""

from xkld_shared.db.migrations import execute_script

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen here rather than read from `Role`: a migration must mean the same thing forever.
# A new role needs a new migration widening this check.
_ROLES = (
    "commune_officer",
    "training_staff",
    "labour_officer",
    "loan_officer",
    "bank_manager",
    "report_viewer",
    "admin",
)


def upgrade() -> None:
    roles = ", ".join(f"'{role}'" for role in _ROLES)
    execute_script(
        f"""
        CREATE TABLE account (
            id                   uuid        PRIMARY KEY,
            username             text        NOT NULL UNIQUE
                                             CHECK (username = lower(username)),
            full_name            text        NOT NULL,
            password_hash        text        NOT NULL,
            roles                text[]      NOT NULL
                                             CHECK (roles <@ ARRAY[{roles}]::text[]
                                                    AND cardinality(roles) > 0),
            communes             text[]      NOT NULL DEFAULT '{{}}',
            province             text,
            branch               text,
            disabled             boolean     NOT NULL DEFAULT false,
            failed_logins        integer     NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
            locked_until         timestamptz,
            password_changed_at  timestamptz NOT NULL DEFAULT now(),
            created_at           timestamptz NOT NULL DEFAULT now(),
            updated_at           timestamptz NOT NULL DEFAULT now(),
            created_by           text        NOT NULL
        );

        CREATE TABLE refresh_token (
            id           uuid        PRIMARY KEY,
            account_id   uuid        NOT NULL REFERENCES account (id),
            token_hash   bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
            family_id    uuid        NOT NULL,
            issued_at    timestamptz NOT NULL DEFAULT now(),
            expires_at   timestamptz NOT NULL,
            revoked_at   timestamptz,
            replaced_by  uuid        REFERENCES refresh_token (id),
            user_agent   text,
            ip           text
        );
        CREATE INDEX refresh_token_live_by_family ON refresh_token (family_id)
            WHERE revoked_at IS NULL;
        CREATE INDEX refresh_token_live_by_account ON refresh_token (account_id)
            WHERE revoked_at IS NULL;

        CREATE TABLE account_audit (
            id          bigserial   PRIMARY KEY,
            at          timestamptz NOT NULL DEFAULT now(),
            actor       text        NOT NULL,
            account_id  uuid        NOT NULL REFERENCES account (id),
            action      text        NOT NULL,
            before      jsonb,
            after       jsonb,
            ip          text
        );
        CREATE INDEX account_audit_by_account ON account_audit (account_id, id);

        -- The log is evidence: the application role may add to it but never rewrite it.
        CREATE FUNCTION account_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'account_audit is append-only';
        END $$;
        CREATE TRIGGER account_audit_no_update_or_delete
            BEFORE UPDATE OR DELETE ON account_audit
            FOR EACH ROW EXECUTE FUNCTION account_audit_append_only();
        CREATE TRIGGER account_audit_no_truncate
            BEFORE TRUNCATE ON account_audit
            FOR EACH STATEMENT EXECUTE FUNCTION account_audit_append_only();
        """
    )


def downgrade() -> None:
    execute_script(
        """
        DROP TABLE account_audit;
        DROP FUNCTION account_audit_append_only();
        DROP TABLE refresh_token;
        DROP TABLE account;
        """
    )
