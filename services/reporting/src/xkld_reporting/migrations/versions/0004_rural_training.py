"""Read models of rural vocational training (issue 19): trainees who stay, their courses
(result, employment outcome, Decision 46 support paid) and the yearly course plan.

TrainingSupportPaid events published before this version were skipped by the live consumer;
a rebuild (`python -m xkld_reporting.rebuild`) projects them.

Revision ID: 0004
Revises: 0003
"""

from xkld_shared.db.migrations import execute_script

from xkld_reporting.adapters.projection_schema import LIVE, rural_training_ddl

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(rural_training_ddl(LIVE))


def downgrade() -> None:
    execute_script(
        f"""DROP TABLE {LIVE}.trainee, {LIVE}.trainee_course, {LIVE}.plan_line;
            UPDATE {LIVE}.meta SET version = 2;"""
    )
