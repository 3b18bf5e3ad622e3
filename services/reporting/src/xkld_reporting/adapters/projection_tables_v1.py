"""Version 1 of the projection tables, as migration 0002 created them: bookkeeping, the
registration and loan rows, and the counters. Split by what the tables hold; `base_ddl` is their
concatenation, unchanged."""

from __future__ import annotations

from xkld_reporting.adapters.schema_names import checked


def base_ddl(schema: str) -> str:
    """Version 1, as migration 0002 created it."""
    s = checked(schema)
    return _bookkeeping_ddl(s) + _registration_ddl(s) + _loan_ddl(s) + _counter_ddl(s)


def _bookkeeping_ddl(s: str) -> str:
    """The meta row, the projection's own inbox, each stream's freshness and a rebuild's offsets."""
    return f"""
    CREATE SCHEMA {s};
    CREATE TABLE {s}.meta (version int NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
    INSERT INTO {s}.meta (version) VALUES (1);
    -- The projection's own inbox: it moves with the tables, so a swap keeps them consistent.
    CREATE TABLE {s}.inbox (event_id uuid PRIMARY KEY);
    CREATE TABLE {s}.stream_state (
        stream         text PRIMARY KEY,
        last_event_at  timestamptz NOT NULL,
        events         bigint NOT NULL,
        updated_at     timestamptz NOT NULL
    );
    -- Where a rebuild has read up to (the live projection's offsets are Kafka's group offsets).
    CREATE TABLE {s}.offsets (
        topic text NOT NULL, partition int NOT NULL, next_offset bigint NOT NULL,
        PRIMARY KEY (topic, partition)
    );
"""


def _registration_ddl(s: str) -> str:
    """A registration's dimensions and milestone dates, and its courses."""
    return f"""    CREATE TABLE {s}.registration (
        registration_id      uuid PRIMARY KEY,
        commune_code         text,      -- the unit it is reported under (after the 2025 merger)
        source_commune_code  text,      -- as registered
        province_code        text,
        hamlet               text,
        gender               text,
        birth_year           int,
        submitted_on         date,
        priority_bits        int NOT NULL DEFAULT 0,
        desired_market       text,
        market_code          text,
        enterprise_code      text,
        stage                text NOT NULL,
        eligible_on          date,
        rejected_on          date,
        reject_reason        text,
        withdrawn_on         date,
        trained_on           date,
        loan_requested_on    date,
        contract_signed_on   date,
        departure_on         date,
        departed_on          date,
        returned_on          date,
        return_early         boolean,
        return_cause         text,
        absconded_on         date,
        referred_on          date,
        employment_status    text
    ) WITH (fillfactor = 80);  -- room for HOT updates: most events change unindexed columns
    CREATE INDEX ON {s}.registration (commune_code, submitted_on);
    CREATE TABLE {s}.training (
        registration_id     uuid NOT NULL,
        course_id           uuid NOT NULL,
        commune_code        text,
        course_code         text NOT NULL,
        course_type         text NOT NULL,
        enrolled_on         date,
        completed_on        date,
        passed              boolean,
        certificate_issued  boolean,
        PRIMARY KEY (registration_id, course_id)
    );
    CREATE INDEX ON {s}.training (commune_code);
"""


def _loan_ddl(s: str) -> str:
    """A loan's amounts and dates, and its overdue instalments."""
    return f"""    CREATE TABLE {s}.loan (
        loan_application_id  uuid PRIMARY KEY,
        registration_id      uuid NOT NULL,
        commune_code         text,
        source_commune_code  text,
        applied_on           date,
        requested_vnd        bigint NOT NULL DEFAULT 0,
        approved_on          date,
        approved_vnd         bigint NOT NULL DEFAULT 0,
        rejected_on          date,
        disbursed_on         date,
        disbursed_vnd        bigint NOT NULL DEFAULT 0,
        installments         int,
        repaid_vnd           bigint NOT NULL DEFAULT 0,
        principal_repaid_vnd bigint NOT NULL DEFAULT 0,
        outstanding_vnd      bigint NOT NULL DEFAULT 0,
        written_off_vnd      bigint NOT NULL DEFAULT 0,
        settled_on           date,
        restructured_on      date,
        restructured_kind    text,
        flagged_on           date
    );
    CREATE INDEX ON {s}.loan (commune_code);
    CREATE TABLE {s}.loan_overdue (
        loan_application_id uuid NOT NULL,
        installment_no      int NOT NULL,
        due_on              date NOT NULL,
        principal_due_vnd   bigint NOT NULL,
        PRIMARY KEY (loan_application_id, installment_no)
    );
"""


def _counter_ddl(s: str) -> str:
    """The monthly counters the progress report reads, and the SMS counts."""
    return f"""    -- The progress report reads only this: counts and amounts per commune and month.
    CREATE TABLE {s}.monthly (
        indicator     text NOT NULL,
        commune_code  text NOT NULL,
        month         date NOT NULL,
        market        text NOT NULL DEFAULT '',
        n             bigint NOT NULL,
        amount_vnd    bigint NOT NULL,
        province_code text NOT NULL DEFAULT '',  -- of the commune: a province report is a range
        PRIMARY KEY (indicator, commune_code, month, market)
    );
    CREATE INDEX monthly_by_province ON {s}.monthly (province_code, indicator, month)
        INCLUDE (commune_code, market, n, amount_vnd);
    CREATE TABLE {s}.sms (
        template_code text NOT NULL,
        day           date NOT NULL,
        outcome       text NOT NULL,
        n             bigint NOT NULL,
        PRIMARY KEY (template_code, day, outcome)
    );
    """
