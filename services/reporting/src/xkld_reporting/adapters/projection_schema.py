"""The projection tables, created in a schema of their own so that a rebuild can fill a fresh
copy (`rp_next`) and swap it in by renaming schemas in one transaction.

Only ids and dimensions: no names, CCCD or phone numbers, and nothing that could carry one.
"""

from __future__ import annotations

from xkld_reporting.adapters.projection_tables_v1 import base_ddl
from xkld_reporting.adapters.schema_names import ALL_MARKETS, VERSION, WHOLE_YEAR, checked
from xkld_reporting.application.ports import LIVE, NEXT, SWITCH_LOCK

# Migrations, the rebuild and the projector import these from here.
__all__ = [
    "ALL_MARKETS",
    "LIVE",
    "NEXT",
    "SWITCH_LOCK",
    "VERSION",
    "WHOLE_YEAR",
    "base_ddl",
    "checked",
    "enterprise_reputation_ddl",
    "poverty_ddl",
    "projection_ddl",
    "rollup_backfill",
    "rollup_ddl",
    "rollup_of",
    "rural_training_ddl",
]


def projection_ddl(schema: str) -> str:
    """Every projection table, at the current version: what a rebuild creates."""
    return (
        base_ddl(schema)
        + rollup_ddl(schema)
        + rural_training_ddl(schema)
        + poverty_ddl(schema)
        + enterprise_reputation_ddl(schema)
    )


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
    return _trainee_ddl(s) + _plan_line_ddl(s)


def _trainee_ddl(s: str) -> str:
    """Trainees and their courses."""
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
"""


def _plan_line_ddl(s: str) -> str:
    """The yearly course plan's lines."""
    return f"""    CREATE TABLE {s}.plan_line (
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


def poverty_ddl(schema: str) -> str:
    """Version 4 (issue 17): households' poverty status from the official list, at intake and
    for each year after the return. Ids, codes and years only."""
    s = checked(schema)
    return f"""
    CREATE TABLE {s}.poverty (
        registration_id      uuid NOT NULL,
        basis                text NOT NULL,  -- intake, after_return
        list_year            int  NOT NULL,
        status               text NOT NULL,  -- poor, near_poor, neither
        PRIMARY KEY (registration_id, basis, list_year)
    );
    CREATE INDEX ON {s}.poverty (list_year) WHERE basis = 'after_return';
    UPDATE {s}.meta SET version = 4;
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


def enterprise_reputation_ddl(schema: str) -> str:
    """Version 5: what enterprises are judged on beyond the registration rows (issue 17): the
    fee each contract recorded and officers' complaints. Codes, dates and integer VND only: a
    complaint's free text stays in the registration service."""
    s = checked(schema)
    return f"""
    CREATE TABLE {s}.contract_fee (
        registration_id  uuid PRIMARY KEY,
        enterprise_code  text NOT NULL,
        market_code      text NOT NULL,
        programme        text NOT NULL,
        signed_on        date NOT NULL,
        fee_vnd          bigint          -- null: the officer entered no fee
    );
    CREATE INDEX ON {s}.contract_fee (enterprise_code);
    CREATE TABLE {s}.enterprise_complaint (
        complaint_id     uuid PRIMARY KEY,
        enterprise_code  text NOT NULL,
        category         text NOT NULL,
        complained_on    date NOT NULL
    );
    CREATE INDEX ON {s}.enterprise_complaint (enterprise_code);
    UPDATE {s}.meta SET version = 5;
    """
