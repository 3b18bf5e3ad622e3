"""Rural vocational training without a labour-export file: trainees, their enrolments and
attendance, the courses' support terms, and Decision 46/2015 support paid once per person.

Revision ID: 0008
Revises: 0007
"""

from xkld_shared.db.migrations import execute_script

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        -- One trainee record per person: the CCCD's blind index is unique, for ever, so a
        -- person who trains twice, in two communes, is still one trainee with one history.
        CREATE TABLE trainee (
            id                   uuid PRIMARY KEY,
            full_name            text        NOT NULL,
            cccd_ciphertext      text        NOT NULL,
            cccd_blind_index     bytea       NOT NULL UNIQUE,
            date_of_birth        date        NOT NULL,
            gender               text        NOT NULL,
            phone_ciphertext     text        NOT NULL,
            commune_code         text        NOT NULL,
            province_code        text        NOT NULL,
            ethnicity_ciphertext text        NOT NULL,
            poverty_ciphertext   text        NOT NULL,
            hamlet               text,
            consents             jsonb       NOT NULL,
            consent_text_version text        NOT NULL,
            support_groups       text[]      NOT NULL DEFAULT '{}',
            difficult_commune    boolean     NOT NULL DEFAULT false,
            registered_on        date        NOT NULL,
            registered_by        text        NOT NULL,
            created_at           timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX trainee_by_commune ON trainee (commune_code);

        CREATE TABLE trainee_enrolment (
            trainee_id         uuid         NOT NULL REFERENCES trainee (id),
            course_id          uuid         NOT NULL REFERENCES course (id),
            enrolled_on        date         NOT NULL,
            distance_km        numeric(6,1) NOT NULL CHECK (distance_km >= 0),
            completed_on       date,
            passed             boolean,
            certificate_number text UNIQUE,
            PRIMARY KEY (trainee_id, course_id)
        );
        CREATE INDEX trainee_enrolment_by_course ON trainee_enrolment (course_id);

        CREATE TABLE trainee_attendance (
            trainee_id  uuid    NOT NULL,
            course_id   uuid    NOT NULL,
            attended_on date    NOT NULL,
            present     boolean NOT NULL,
            PRIMARY KEY (trainee_id, course_id, attended_on),
            FOREIGN KEY (trainee_id, course_id) REFERENCES trainee_enrolment
        );

        -- Employment after training: one outcome per trainee and course, corrected in place
        -- (the audit trail keeps what it was). "Went abroad" names the person's own file.
        CREATE TABLE trainee_outcome (
            trainee_id      uuid        NOT NULL,
            course_id       uuid        NOT NULL,
            outcome         text        NOT NULL CHECK (outcome IN ('work_in_trade',
                                'other_work', 'own_business', 'went_abroad', 'no_work_yet')),
            observed_on     date        NOT NULL,
            registration_id uuid REFERENCES registration (id),
            recorded_by     text        NOT NULL,
            recorded_at     timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (trainee_id, course_id),
            FOREIGN KEY (trainee_id, course_id) REFERENCES trainee_enrolment,
            CHECK ((outcome = 'went_abroad') = (registration_id IS NOT NULL))
        );

        CREATE TABLE course_support_terms (
            course_id           uuid PRIMARY KEY REFERENCES course (id),
            tuition_vnd         bigint  NOT NULL CHECK (tuition_vnd >= 0),
            fisher_vessel_trade boolean NOT NULL DEFAULT false,
            updated_by          text    NOT NULL,
            updated_at          timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE support_payment (
            id          uuid PRIMARY KEY,
            course_id   uuid        NOT NULL REFERENCES course (id),
            policy_code text        NOT NULL,
            paid_on     date        NOT NULL,
            total_vnd   bigint      NOT NULL CHECK (total_vnd > 0),
            recorded_by text        NOT NULL,
            created_at  timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE support_payment_line (
            payment_id   uuid    NOT NULL REFERENCES support_payment (id),
            trainee_id   uuid    NOT NULL REFERENCES trainee (id),
            cost_vnd     bigint  NOT NULL CHECK (cost_vnd >= 0),
            meals_vnd    bigint  NOT NULL CHECK (meals_vnd >= 0),
            travel_vnd   bigint  NOT NULL CHECK (travel_vnd >= 0),
            days_present integer NOT NULL CHECK (days_present > 0),
            PRIMARY KEY (payment_id, trainee_id)
        );

        -- The rule "supported once per person, and never after another state policy paid" is
        -- this primary key: one row per person (CCCD blind index), whatever the course, the
        -- commune or the number of officers paying at the same moment.
        CREATE TABLE training_support_once (
            person_index bytea PRIMARY KEY,
            trainee_id   uuid        NOT NULL REFERENCES trainee (id),
            kind         text        NOT NULL CHECK (kind IN ('paid', 'other_policy')),
            policy_code  text        NOT NULL,
            payment_id   uuid REFERENCES support_payment (id),
            course_id    uuid REFERENCES course (id),
            recorded_at  timestamptz NOT NULL DEFAULT now(),
            CHECK ((kind = 'paid') = (payment_id IS NOT NULL))
        );
        """
    )


def downgrade() -> None:
    execute_script(
        """
        DROP TABLE training_support_once, support_payment_line, support_payment,
            course_support_terms, trainee_outcome, trainee_attendance, trainee_enrolment, trainee;
        """
    )
