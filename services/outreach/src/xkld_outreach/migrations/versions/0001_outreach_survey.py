"""Survey rounds, households and members; course-plan capacity; outbox, inbox, audit and
idempotency keys.

Revision ID: 0001
Revises:
"""

from xkld_shared.db.migrations import execute_script
from xkld_shared.db.schema import (
    AUDIT_DDL,
    DROP_MESSAGING_DDL,
    IDEMPOTENCY_DDL,
    INBOX_DDL,
    OUTBOX_DDL,
)

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(OUTBOX_DDL)
    execute_script(INBOX_DDL)
    execute_script(AUDIT_DDL)
    execute_script(IDEMPOTENCY_DDL)
    execute_script(
        """
        CREATE TABLE survey_round (
            id             uuid PRIMARY KEY,
            commune_code   text NOT NULL CHECK (commune_code ~ '^\\d{5}$'),
            province_code  text NOT NULL CHECK (province_code ~ '^\\d{2}$'),
            title          text NOT NULL,
            period_start   date NOT NULL,
            period_end     date NOT NULL CHECK (period_end >= period_start),
            status         text NOT NULL CHECK (status IN ('open', 'closed')),
            opened_by      text NOT NULL,
            opened_at      timestamptz NOT NULL DEFAULT now(),
            closed_by      text,
            closed_at      timestamptz
        );
        CREATE INDEX survey_round_by_commune ON survey_round (commune_code, period_start);
        CREATE TABLE survey_household (
            id             uuid PRIMARY KEY,
            round_id       uuid NOT NULL REFERENCES survey_round (id),
            hamlet         text NOT NULL,
            recorded_by    text NOT NULL,
            recorded_at    timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX survey_household_by_round ON survey_household (round_id);
        -- A member is a respondent: the id the conversion to a registration is keyed by.
        CREATE TABLE survey_member (
            id                   uuid PRIMARY KEY,
            household_id         uuid NOT NULL REFERENCES survey_household (id),
            round_id             uuid NOT NULL REFERENCES survey_round (id),
            full_name            text,
            age_band             text NOT NULL,
            gender               text NOT NULL CHECK (gender IN ('male', 'female')),
            education            text NOT NULL,
            current_work         text NOT NULL,
            wants_training       boolean NOT NULL,
            trade_code           text,
            wants_abroad         boolean NOT NULL,
            market_code          text,
            abroad_when          text,
            needs_loan           boolean NOT NULL,
            priority_groups      text[] NOT NULL DEFAULT '{}',
            contact_consent      boolean NOT NULL,
            consent_recorded_by  text NOT NULL,
            consent_recorded_at  timestamptz NOT NULL DEFAULT now(),
            registration_id      uuid UNIQUE,
            converted_at         timestamptz,
            CHECK (wants_training OR trade_code IS NULL),
            CHECK (wants_abroad OR (market_code IS NULL AND abroad_when IS NULL))
        );
        CREATE INDEX survey_member_by_round ON survey_member (round_id);
        CREATE INDEX survey_member_by_household ON survey_member (household_id);
        -- Course places per trade, from the training stream's plan lines (never registration's
        -- tables): what the suggested course plan sets demand against.
        CREATE TABLE plan_capacity (
            line_id        uuid PRIMARY KEY,
            plan_year      int  NOT NULL,
            province_code  text NOT NULL,
            commune_code   text NOT NULL,
            trade_code     text NOT NULL,
            trade_title    text NOT NULL,
            places         int  NOT NULL CHECK (places >= 0),
            withdrawn      boolean NOT NULL DEFAULT false
        );
        CREATE INDEX plan_capacity_by_area ON plan_capacity (commune_code, plan_year);
        """
    )


def downgrade() -> None:
    execute_script(
        "DROP TABLE plan_capacity; DROP TABLE survey_member; DROP TABLE survey_household; "
        "DROP TABLE survey_round; DROP TABLE idempotency_key; DROP SCHEMA audit CASCADE;"
    )
    execute_script(DROP_MESSAGING_DDL)
