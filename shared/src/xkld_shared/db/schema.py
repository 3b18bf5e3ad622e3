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
