"""Enterprise reputation (issue 17): the fee recorded with each contract and officers'
complaints about enterprises.

ContractSigned events published before this version carried no fee; complaints did not exist.
A rebuild (`python -m xkld_reporting.rebuild`) fills the fee table for older contracts (with no
fee).

Revision ID: 0006
Revises: 0005
"""

from xkld_shared.db.migrations import execute_script

from xkld_reporting.adapters.projection_schema import LIVE, enterprise_reputation_ddl

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(enterprise_reputation_ddl(LIVE))


def downgrade() -> None:
    execute_script(
        f"""DROP TABLE {LIVE}.contract_fee, {LIVE}.enterprise_complaint;
            UPDATE {LIVE}.meta SET version = 4;"""
    )
