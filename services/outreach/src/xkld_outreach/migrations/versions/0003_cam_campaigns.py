"""Outreach campaigns (issue 16): a sealed phone on survey members, editable message templates
(versioned), campaigns, meetings with attendance, broadcasts and their recipients, and the
departure of converted registrations (for the funnel).

Revision ID: 0003
Revises: 0002
"""

from xkld_shared.db.migrations import execute_script

from xkld_outreach.domain.explainers import SEED_TEMPLATES

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        -- Sealed (AES-GCM, purpose "phone"): only notifications can open it. Never in clear.
        ALTER TABLE survey_member ADD COLUMN phone_sealed text;
        ALTER TABLE survey_member ADD COLUMN departed_on date;
        ALTER TABLE survey_member ADD CONSTRAINT phone_needs_consent
            CHECK (phone_sealed IS NULL OR contact_consent);
        CREATE TABLE message_template (
            code              text NOT NULL,
            version           int  NOT NULL CHECK (version >= 1),
            title             text NOT NULL,
            sms_text          text NOT NULL,
            zalo_template_id  text,
            zalo_params       jsonb NOT NULL DEFAULT '{}',
            announcement      text NOT NULL,
            edited_by         text NOT NULL,
            edited_at         timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (code, version)
        );
        CREATE TABLE campaign (
            id               uuid PRIMARY KEY,
            goal             text NOT NULL,
            province_code    text NOT NULL CHECK (province_code ~ '^\\d{2}$'),
            communes         text[] NOT NULL CHECK (cardinality(communes) >= 1),
            priority_groups  text[] NOT NULL DEFAULT '{}',
            hamlets          text[] NOT NULL DEFAULT '{}',
            age_bands        text[] NOT NULL DEFAULT '{}',
            channels         text[] NOT NULL,
            period_start     date NOT NULL,
            period_end       date NOT NULL CHECK (period_end >= period_start),
            template_code    text NOT NULL,
            status           text NOT NULL CHECK (status IN ('draft', 'active', 'closed')),
            created_by       text NOT NULL,
            created_at       timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX campaign_by_province ON campaign (province_code, period_start);
        CREATE TABLE campaign_meeting (
            id            uuid PRIMARY KEY,
            campaign_id   uuid NOT NULL REFERENCES campaign (id),
            commune_code  text NOT NULL,
            held_on       date NOT NULL,
            place         text NOT NULL,
            walk_ins      int  NOT NULL CHECK (walk_ins >= 0),
            recorded_by   text NOT NULL,
            recorded_at   timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX campaign_meeting_by_campaign ON campaign_meeting (campaign_id);
        CREATE TABLE campaign_attendee (
            meeting_id   uuid NOT NULL REFERENCES campaign_meeting (id),
            member_id    uuid NOT NULL REFERENCES survey_member (id),
            interested   boolean NOT NULL,
            PRIMARY KEY (meeting_id, member_id)
        );
        CREATE TABLE campaign_broadcast (
            id                uuid PRIMARY KEY,
            campaign_id       uuid NOT NULL REFERENCES campaign (id),
            route             text NOT NULL CHECK (route IN ('sms', 'zalo_then_sms')),
            template_code     text NOT NULL,
            template_version  int  NOT NULL,
            recipients        int  NOT NULL,
            already_sent      int  NOT NULL,
            requested_by      text NOT NULL,
            requested_at      timestamptz NOT NULL DEFAULT now()
        );
        -- One row per person per campaign: the unique index is what keeps a second broadcast
        -- from reaching anyone an earlier one already asked for.
        CREATE TABLE campaign_recipient (
            id            uuid PRIMARY KEY,
            broadcast_id  uuid NOT NULL REFERENCES campaign_broadcast (id),
            campaign_id   uuid NOT NULL REFERENCES campaign (id),
            member_id     uuid NOT NULL REFERENCES survey_member (id),
            commune_code  text NOT NULL,
            outcome       text NOT NULL DEFAULT 'requested' CHECK (outcome IN
                              ('requested', 'suppressed', 'sent', 'failed', 'delivered')),
            channel       text,
            fell_back     boolean NOT NULL DEFAULT false,
            reason        text,
            cost_vnd      int NOT NULL DEFAULT 0,
            settled_at    timestamptz,
            UNIQUE (campaign_id, member_id)
        );
        CREATE INDEX campaign_recipient_by_broadcast ON campaign_recipient (broadcast_id);
        """
    )
    for t in SEED_TEMPLATES:
        execute_script(t.insert_sql())


def downgrade() -> None:
    execute_script(
        "DROP TABLE campaign_recipient; DROP TABLE campaign_broadcast; "
        "DROP TABLE campaign_attendee; DROP TABLE campaign_meeting; DROP TABLE campaign; "
        "DROP TABLE message_template; "
        "ALTER TABLE survey_member DROP CONSTRAINT phone_needs_consent; "
        "ALTER TABLE survey_member DROP COLUMN departed_on; "
        "ALTER TABLE survey_member DROP COLUMN phone_sealed;"
    )
