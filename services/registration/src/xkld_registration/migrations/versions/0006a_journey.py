"""The journey after intake: its stage facets, reference data, training, gates and follow-up.

Revision ID: 0006a
Revises: 0005
"""

from xkld_shared.db.migrations import execute_script

revision = "0006a"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        ALTER TABLE registration
            ADD COLUMN loan_stage text NOT NULL DEFAULT 'none' CHECK (loan_stage IN
                ('none', 'requested', 'approved', 'rejected', 'disbursed', 'no_loan')),
            ADD COLUMN gates text[] NOT NULL DEFAULT '{}',
            ADD COLUMN orientation_certificate_no text,
            ADD COLUMN market_code text,
            ADD COLUMN enterprise_code text,
            ADD COLUMN programme text,
            ADD COLUMN departure_on date,
            ADD COLUMN flight_number text,
            ADD COLUMN early_cause text,
            ADD COLUMN loan_request_id uuid,
            ADD COLUMN loan_application_id uuid;
        -- A certificate number identifies one worker's certificate: never recorded twice.
        CREATE UNIQUE INDEX registration_orientation_certificate
            ON registration (orientation_certificate_no);
        -- After reintegration the file is closed too: the person may register again.
        DROP INDEX registration_one_active_per_cccd;
        CREATE UNIQUE INDEX registration_one_active_per_cccd ON registration (cccd_blind_index)
            WHERE status NOT IN ('withdrawn', 'rejected', 'returned_completed', 'returned_early',
                                 'reintegration');

        CREATE TABLE enterprise (
            code               text PRIMARY KEY,
            name               text        NOT NULL,
            licence_number     text        NOT NULL,
            licence_valid_from date        NOT NULL,
            licence_valid_to   date        NOT NULL CHECK (licence_valid_to >= licence_valid_from),
            markets            text[]      NOT NULL,
            revoked_on         date,
            created_at         timestamptz NOT NULL DEFAULT now(),
            updated_at         timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE course (
            id          uuid PRIMARY KEY,
            code        text        NOT NULL UNIQUE,
            course_type text        NOT NULL CHECK (course_type IN
                            ('vocational', 'language', 'orientation')),
            title       text        NOT NULL,
            provider    text        NOT NULL,
            venue       text        NOT NULL,
            starts_on   date        NOT NULL,
            ends_on     date        NOT NULL CHECK (ends_on >= starts_on),
            capacity    integer     NOT NULL CHECK (capacity > 0),
            created_at  timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE enrolment (
            registration_id    uuid NOT NULL REFERENCES registration (id),
            course_id          uuid NOT NULL REFERENCES course (id),
            enrolled_on        date NOT NULL,
            completed_on       date,
            passed             boolean,
            certificate_number text,
            PRIMARY KEY (registration_id, course_id)
        );
        CREATE INDEX enrolment_by_course ON enrolment (course_id);

        CREATE TABLE attendance (
            registration_id uuid    NOT NULL,
            course_id       uuid    NOT NULL,
            attended_on     date    NOT NULL,
            present         boolean NOT NULL,
            PRIMARY KEY (registration_id, course_id, attended_on),
            FOREIGN KEY (registration_id, course_id) REFERENCES enrolment
        );

        CREATE TABLE loan_request (
            id                    uuid PRIMARY KEY,
            registration_id       uuid        NOT NULL REFERENCES registration (id),
            requested_vnd         bigint      NOT NULL CHECK (requested_vnd > 0),
            cost_breakdown_vnd    jsonb       NOT NULL,
            purpose_code          text        NOT NULL,
            purpose_note          text,
            requested_term_months integer     NOT NULL,
            requested_on          date        NOT NULL,
            created_at            timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE employment_contract (
            registration_id   uuid PRIMARY KEY REFERENCES registration (id),
            contract_number   text    NOT NULL,
            enterprise_code   text    NOT NULL REFERENCES enterprise (code),
            market_code       text    NOT NULL,
            programme         text    NOT NULL,
            employer_name     text    NOT NULL,
            term_months       integer NOT NULL CHECK (term_months > 0),
            monthly_salary    bigint  NOT NULL CHECK (monthly_salary > 0),
            salary_currency   text    NOT NULL,
            signed_on         date    NOT NULL
        );

        CREATE TABLE check_in (
            id                bigserial PRIMARY KEY,
            registration_id   uuid    NOT NULL REFERENCES registration (id),
            checked_in_on     date    NOT NULL,
            channel           text    NOT NULL,
            employment_status text    NOT NULL,
            wellbeing         text    NOT NULL,
            remittance_vnd    bigint  CHECK (remittance_vnd >= 0),
            incidents         text
        );
        CREATE INDEX check_in_by_registration ON check_in (registration_id, checked_in_on);

        -- The other steps' free text (reasons, notes, document numbers), kept here and never
        -- put on a topic. Sensitive details (health) are sealed before they get here.
        CREATE TABLE journey_record (
            id              bigserial PRIMARY KEY,
            registration_id uuid        NOT NULL REFERENCES registration (id),
            kind            text        NOT NULL,
            recorded_on     date        NOT NULL,
            details         jsonb       NOT NULL,
            recorded_by     text        NOT NULL,
            recorded_at     timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX journey_record_by_registration ON journey_record (registration_id, id);
        """
    )


def downgrade() -> None:
    execute_script(
        """
        DROP TABLE journey_record, check_in, employment_contract, loan_request, attendance,
            enrolment, course, enterprise;
        DROP INDEX registration_one_active_per_cccd;
        CREATE UNIQUE INDEX registration_one_active_per_cccd ON registration (cccd_blind_index)
            WHERE status NOT IN ('withdrawn', 'rejected', 'returned_completed', 'returned_early');
        DROP INDEX registration_orientation_certificate;
        ALTER TABLE registration DROP COLUMN loan_stage, DROP COLUMN gates,
            DROP COLUMN orientation_certificate_no, DROP COLUMN market_code,
            DROP COLUMN enterprise_code, DROP COLUMN programme, DROP COLUMN departure_on,
            DROP COLUMN flight_number, DROP COLUMN early_cause, DROP COLUMN loan_request_id,
            DROP COLUMN loan_application_id;
        """
    )
