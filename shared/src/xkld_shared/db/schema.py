"""DDL for the messaging tables every service carries: outbox and inbox.

Each service's first migration applies it, so the mechanics are defined once.
"""

OUTBOX_DDL = """
CREATE TABLE outbox (
    id             bigserial PRIMARY KEY,
    event_id       uuid        NOT NULL UNIQUE,
    topic          text        NOT NULL,
    partition_key  text        NOT NULL,
    event_type     text        NOT NULL,
    envelope       bytea       NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    published_at   timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
CREATE INDEX outbox_unpublished_by_key ON outbox (partition_key, id) WHERE published_at IS NULL;
CREATE INDEX outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL;

CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox', '');
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
"""

INBOX_DDL = """
CREATE TABLE inbox (
    consumer      text        NOT NULL,
    event_id      uuid        NOT NULL,
    event_type    text        NOT NULL,
    processed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
"""

DROP_MESSAGING_DDL = """
DROP TABLE IF EXISTS inbox;
DROP TRIGGER IF EXISTS outbox_notify ON outbox;
DROP TABLE IF EXISTS outbox;
DROP FUNCTION IF EXISTS outbox_notify();
"""

# Who changed what, when, from where, with before/after values, in the change's transaction.
# Append-only twice over: a trigger refuses UPDATE, DELETE and TRUNCATE, and provisioning
# (`harden_audit_log`) hands the schema, table and function to a role the service is not. It
# lives in its own schema because the service's role owns `public` (as database owner) and could
# drop anything there.
AUDIT_DDL = """
CREATE SCHEMA audit;
CREATE TABLE audit.audit_log (
    id              bigserial PRIMARY KEY,
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    actor_subject   text        NOT NULL,
    actor_username  text        NOT NULL,
    actor_roles     text[]      NOT NULL,
    source_ip       text,
    action          text        NOT NULL,
    entity_type     text        NOT NULL,
    entity_id       text        NOT NULL,
    changes         jsonb       NOT NULL,
    correlation_id  uuid
);
CREATE INDEX audit_log_by_entity ON audit.audit_log (entity_type, entity_id, id);

CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit.audit_log
    FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
"""

# Requests that move money carry an Idempotency-Key; the first one's answer is kept here, in the
# same transaction as its effect, and a retry gets that answer back instead of a second effect.
IDEMPOTENCY_DDL = """
CREATE TABLE idempotency_key (
    scope          text        NOT NULL,
    key            text        NOT NULL,
    fingerprint    bytea       NOT NULL,
    status_code    int         NOT NULL,
    response       jsonb       NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
"""
