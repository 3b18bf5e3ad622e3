"""The projection tables, created in a schema of their own so that a rebuild can fill a fresh
copy (`rp_next`) and swap it in by renaming schemas in one transaction.

Only ids and dimensions: no names, CCCD or phone numbers, and nothing that could carry one.
"""

from __future__ import annotations

import re

LIVE = "rp"
NEXT = "rp_next"
# Live batches take this lock shared; the rebuild's switch takes it exclusively, so no live
# batch straddles the swap.
SWITCH_LOCK = 0x78_6B_6C_64_72_70  # "xkldrp"
ALL_MARKETS = "*"  # the rollup's line for every market; never a market code ([A-Za-z0-9_.-])
WHOLE_YEAR = 0  # the rollup's quarter for the whole year
VERSION = 3  # 1: migration 0002; 2: the rollup (0003); 3: rural vocational training (0004)

_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")


def checked(schema: str) -> str:
    if not _IDENT.match(schema):
        raise ValueError(f"not a schema name: {schema!r}")
    return schema


def projection_ddl(schema: str) -> str:
    """Every projection table, at the current version: what a rebuild creates."""
    return base_ddl(schema) + rollup_ddl(schema) + rural_training_ddl(schema)


def rollup_ddl(schema: str) -> str:
    """Version 2: yearly and quarterly totals per commune and province (domain/rollup.py).

    A province's report for a year or quarter is one range of the primary key.
    """
    s = checked(schema)
    return f"""
    CREATE TABLE {s}.rollup (
        province_code text   NOT NULL,  -- of the area ('' when unknown)
        year          int    NOT NULL,
        quarter       int    NOT NULL,  -- 0 = the whole year
        market        text   NOT NULL,  -- '*' = all markets
        indicator     text   NOT NULL,
        area_code     text   NOT NULL,  -- a commune, or the province itself
        n             bigint NOT NULL,
        amount_vnd    bigint NOT NULL,
        PRIMARY KEY (province_code, year, quarter, market, indicator, area_code)
    ) WITH (fillfactor = 70);
    -- Counters change on every batch: leave room on each page and keep the changing columns
    -- out of every index, so that an increment is a HOT update (no index entry to write).
    -- The province index no longer needs to cover them: years and quarters read the rollup.
    ALTER TABLE {s}.monthly SET (fillfactor = 70);
    DROP INDEX {s}.monthly_by_province;
    CREATE INDEX monthly_by_province ON {s}.monthly (province_code, indicator, month);
    UPDATE {s}.meta SET version = 2;
    """


def rural_training_ddl(schema: str) -> str:
    """Version 3: trainees who stay, their courses, and the yearly course plan
    (domain/rural_training.py). Codes, dates and integer VND only: the plan's trade titles and
    institutions are free text and stay out, as course titles and venues do."""
    s = checked(schema)
    return f"""
    CREATE TABLE {s}.trainee (
        trainee_id           uuid PRIMARY KEY,
        commune_code         text,      -- the unit it is reported under (after the 2025 merger)
        source_commune_code  text,      -- as registered
        province_code        text,
        registered_on        date,
        support_group        text,      -- the single highest Decision 46 group
        difficult_commune    boolean,
        erased_on            date
    );
    CREATE TABLE {s}.trainee_course (
        trainee_id            uuid NOT NULL,
        course_id             uuid NOT NULL,
        course_code           text NOT NULL,
        commune_code          text,
        trade_code            text,
        plan_line_id          uuid,     -- joined to plan_line when read, never when projected
        starts_on             date,
        enrolled_on           date,
        completed_on          date,
        passed                boolean,
        certificate_issued    boolean,
        outcome               text,
        outcome_recorded_on   date,
        support_paid_on       date,
        support_commune_code  text,
        support_cost_vnd      bigint NOT NULL DEFAULT 0,
        support_meals_vnd     bigint NOT NULL DEFAULT 0,
        support_travel_vnd    bigint NOT NULL DEFAULT 0,
        support_total_vnd     bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (trainee_id, course_id)
    );
    CREATE INDEX ON {s}.trainee_course (commune_code);
    CREATE INDEX ON {s}.trainee_course (support_commune_code) WHERE support_paid_on IS NOT NULL;
    CREATE TABLE {s}.plan_line (
        line_id              uuid PRIMARY KEY,
        plan_year            int  NOT NULL,
        commune_code         text NOT NULL,
        source_commune_code  text NOT NULL,
        province_code        text,
        trade_code           text NOT NULL,
        places               int  NOT NULL,
        planned_starts_on    date NOT NULL,
        planned_ends_on      date NOT NULL,
        budget_vnd           bigint NOT NULL,
        set_on               date NOT NULL,
        withdrawn_on         date
    );
    CREATE INDEX ON {s}.plan_line (plan_year, commune_code);
    UPDATE {s}.meta SET version = 3;
    """


def rollup_of(source: str) -> str:
    """SELECT the rollup rows that monthly counter rows in `source` (a table, or the batch's
    increments) add up to. Each counts for its commune and, when known, its province; for its
    year (quarter 0) and its quarter; for its market and for all markets ('*').

    The one definition of the rollup: the projector applies it to each batch's increments in
    the statement that adds them to the monthly counters, migration 0003 to the whole table.
    Ordered by key, so that writers lock rows in one order.
    """
    return f"""
    SELECT m.province_code, m.year, q.quarter, mk.market, m.indicator, a.area_code,
           sum(m.n)::bigint, sum(m.amount_vnd)::bigint
    FROM (  -- months to quarters first: fewer rows to multiply by eight
        SELECT province_code, commune_code, indicator, market,
               date_part('year', month)::int AS year, date_part('quarter', month)::int AS quarter,
               sum(n) AS n, sum(amount_vnd) AS amount_vnd
        FROM {source} GROUP BY 1, 2, 3, 4, 5, 6) m
    CROSS JOIN LATERAL unnest(ARRAY[m.commune_code, nullif(m.province_code, '')]) AS a(area_code)
    CROSS JOIN LATERAL unnest(ARRAY[{WHOLE_YEAR}, m.quarter]) AS q(quarter)
    CROSS JOIN LATERAL unnest(CASE WHEN m.market = '{ALL_MARKETS}' THEN ARRAY[m.market]
                                   ELSE ARRAY[m.market, '{ALL_MARKETS}'] END) AS mk(market)
    WHERE a.area_code IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6
    -- Byte order ("C"): sorting a few thousand keys by the database's collation cost more
    -- than the rest of the statement; any fixed order avoids deadlocks.
    ORDER BY m.province_code COLLATE "C", m.year, q.quarter, mk.market COLLATE "C",
             m.indicator COLLATE "C", a.area_code COLLATE "C"
    """


def rollup_backfill(schema: str) -> str:
    """The rollup recomputed from the whole monthly table."""
    s = checked(schema)
    return f"""
    INSERT INTO {s}.rollup (province_code, year, quarter, market, indicator, area_code,
                            n, amount_vnd)
    {rollup_of(f"{s}.monthly")}
    """


def base_ddl(schema: str) -> str:
    """Version 1, as migration 0002 created it."""
    s = checked(schema)
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
    CREATE TABLE {s}.registration (
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
    CREATE TABLE {s}.loan (
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
    -- The progress report reads only this: counts and amounts per commune and month.
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
