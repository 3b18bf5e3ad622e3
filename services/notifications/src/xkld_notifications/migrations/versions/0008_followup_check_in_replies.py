"""Workers' replies to the check-in SMS while abroad (issue 17).

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
        -- One row per inbound message (its id comes from the message, so a redelivered
        -- callback inserts nothing). A reply that was read keeps only what it said; one that
        -- could not be read keeps its text for the officer who handles it, and nothing else
        -- (no phone). The commune, from RegistrationSubmitted, scopes the readers.
        CREATE TABLE check_in_reply (
            id                uuid        PRIMARY KEY,
            registration_id   uuid        NOT NULL,
            asked_by          uuid        NOT NULL,
            employment_status text        CHECK (employment_status IN ('working',
                                  'between_jobs', 'not_working')),
            unreadable_text   text,
            received_at       timestamptz NOT NULL,
            commune_code      text        NOT NULL,
            province_code     text,
            handled_at        timestamptz,
            handled_by        text,
            handled_note      text,
            CHECK ((employment_status IS NULL) = (unreadable_text IS NOT NULL))
        );
        CREATE INDEX check_in_reply_to_handle ON check_in_reply (received_at)
            WHERE handled_at IS NULL AND employment_status IS NULL;
        CREATE INDEX check_in_reply_by_registration ON check_in_reply (registration_id);
        """
    )


def downgrade() -> None:
    execute_script("DROP TABLE check_in_reply")
