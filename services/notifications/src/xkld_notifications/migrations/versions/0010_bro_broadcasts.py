"""Campaign broadcasts (issue 16): one row per (broadcast, recipient), whatever the channel;
stop keywords remembered per phone (a campaign reaches people who are not contacts here); and
the provider's send rate, counted per second across replicas.

Revision ID: 0010
Revises: 0009
"""

from xkld_shared.db.migrations import execute_script

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """CREATE TABLE broadcast_message (
               id uuid PRIMARY KEY,
               event_id uuid NOT NULL,
               campaign_id uuid NOT NULL,
               broadcast_id uuid NOT NULL,
               recipient_id uuid NOT NULL,
               commune_code text NOT NULL,
               province_code text NOT NULL,
               phone_ciphertext text NOT NULL,
               phone_index bytea NOT NULL,
               route text NOT NULL,
               sms_text text NOT NULL,
               encoding text NOT NULL,
               segments int NOT NULL,
               zalo_template_id text,
               zalo_params jsonb NOT NULL DEFAULT '{}',
               state text NOT NULL,
               channel text,
               fell_back boolean NOT NULL DEFAULT false,
               reason text,
               attempts int NOT NULL DEFAULT 0,
               sms_attempts int NOT NULL DEFAULT 0,
               last_error text,
               next_attempt_at timestamptz NOT NULL,
               lease_until timestamptz,
               quota_day date,
               zalo_msg_id text,
               sms_provider_id text,
               zalo_cost_vnd int NOT NULL DEFAULT 0,
               sms_cost_vnd int NOT NULL DEFAULT 0,
               zalo_sent_at timestamptz,
               sms_sent_at timestamptz,
               zalo_late_delivered_at timestamptz,
               settled_at timestamptz,
               created_at timestamptz NOT NULL,
               UNIQUE (broadcast_id, recipient_id)
           );
           CREATE INDEX broadcast_message_due ON broadcast_message (state, next_attempt_at)
               WHERE state IN ('pending_zalo', 'zalo_sent', 'pending_sms');
           CREATE INDEX broadcast_message_area ON broadcast_message (commune_code, created_at);
           CREATE TABLE phone_opt_out (
               phone_index bytea PRIMARY KEY,
               opted_out_at timestamptz NOT NULL
           );
           CREATE TABLE send_rate (
               channel text NOT NULL,
               window_start timestamptz NOT NULL,
               used int NOT NULL,
               PRIMARY KEY (channel, window_start)
           );"""
    )


def downgrade() -> None:
    execute_script(
        """DROP TABLE send_rate;
           DROP TABLE phone_opt_out;
           DROP TABLE broadcast_message;"""
    )
