"""Intake details, markets as data, the name-token index, a durable event history.

- The rest of the intake form: hamlet, education, occupation, priority groups, desired market
  and occupation, loan wanted, and the pre-2025 commune code when one was mapped.
- `name_tokens`: keyed hashes of the folded words of the name (accent-insensitive search).
- `market`: destination markets and their age limits, managed by labour officers.
- `registration_history`: every event written to the outbox, kept after the relay prunes
  published outbox rows (copied by a trigger, without any sealed phone number).
- `idempotency_key`: answers of creating requests sent with an Idempotency-Key.

Revision ID: 0006b
Revises: 0005
"""

from xkld_shared.db.migrations import execute_script
from xkld_shared.db.schema import IDEMPOTENCY_DDL

revision = "0006b"
down_revision = "0005"
branch_labels = None
depends_on = None

_MARKETS = """
INSERT INTO market (code, country_vi, programme, min_age, max_age, typical_cost_vnd) VALUES
    ('JP_TITP', 'Nhật Bản', 'TITP (thực tập sinh kỹ năng)', 18, 35, 100000000),
    ('JP_SSW', 'Nhật Bản', 'SSW (kỹ năng đặc định)', 18, 40, 90000000),
    ('KR_EPS', 'Hàn Quốc', 'EPS (cấp phép việc làm)', 18, 39, 30000000),
    ('TW', 'Đài Loan', 'Lao động hợp đồng', 18, 45, 110000000),
    ('MY', 'Malaysia', 'Lao động hợp đồng', 18, 45, 40000000),
    ('DE_CARE', 'Đức', 'Điều dưỡng, hộ lý', 18, 35, 60000000);
"""


def upgrade() -> None:
    execute_script(
        """
        ALTER TABLE registration
            ADD COLUMN hamlet text,
            ADD COLUMN education text,
            ADD COLUMN occupation text,
            ADD COLUMN priority_groups text[] NOT NULL DEFAULT '{}',
            ADD COLUMN desired_market text,
            ADD COLUMN desired_occupation text,
            ADD COLUMN loan_wanted boolean,
            ADD COLUMN commune_code_entered text,
            ADD COLUMN name_tokens bytea[] NOT NULL DEFAULT '{}',
            ADD CONSTRAINT registration_erased_means_no_details CHECK (
                erased_at IS NULL OR (cardinality(name_tokens) = 0 AND hamlet IS NULL
                    AND occupation IS NULL AND desired_occupation IS NULL));
        CREATE INDEX registration_by_name_token ON registration USING gin (name_tokens);
        CREATE INDEX registration_by_submission ON registration (submitted_on, id);

        CREATE TABLE market (
            code              text PRIMARY KEY CHECK (code ~ '^[A-Z0-9_]{2,40}$'),
            country_vi        text    NOT NULL,
            programme         text    NOT NULL,
            min_age           int     NOT NULL CHECK (min_age >= 18),
            max_age           int     CHECK (max_age IS NULL OR max_age >= min_age),
            typical_cost_vnd  bigint  CHECK (typical_cost_vnd IS NULL OR typical_cost_vnd >= 0),
            active            boolean NOT NULL DEFAULT true,
            updated_at        timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE registration_history (
            event_id         uuid PRIMARY KEY,
            registration_id  uuid        NOT NULL,
            event_type       text        NOT NULL,
            envelope         jsonb       NOT NULL,
            recorded_at      timestamptz NOT NULL
        );
        CREATE INDEX registration_history_by_registration
            ON registration_history (registration_id, recorded_at);
        CREATE FUNCTION registration_history_keep() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- Every envelope is keyed by its registration id; anything else is not a file's.
            IF NEW.partition_key !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
            THEN
                RETURN NULL;
            END IF;
            INSERT INTO registration_history
                (event_id, registration_id, event_type, envelope, recorded_at)
            VALUES (NEW.event_id, NEW.partition_key::uuid, NEW.event_type,
                    convert_from(NEW.envelope, 'UTF8')::jsonb #- '{payload,phone_ciphertext}',
                    NEW.created_at)
            ON CONFLICT (event_id) DO NOTHING;
            RETURN NULL;
        END $$;
        CREATE TRIGGER outbox_keeps_history AFTER INSERT ON outbox
            FOR EACH ROW EXECUTE FUNCTION registration_history_keep();
        """
    )
    execute_script(_MARKETS)
    # IF NOT EXISTS: a sibling migration of the same service may create the same table.
    execute_script(IDEMPOTENCY_DDL.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS"))


def downgrade() -> None:
    execute_script(
        """
        DROP TRIGGER outbox_keeps_history ON outbox;
        DROP FUNCTION registration_history_keep();
        DROP TABLE registration_history;
        DROP TABLE market;
        ALTER TABLE registration DROP CONSTRAINT registration_erased_means_no_details,
            DROP COLUMN hamlet, DROP COLUMN education, DROP COLUMN occupation,
            DROP COLUMN priority_groups, DROP COLUMN desired_market,
            DROP COLUMN desired_occupation, DROP COLUMN loan_wanted,
            DROP COLUMN commune_code_entered, DROP COLUMN name_tokens;
        """
    )
