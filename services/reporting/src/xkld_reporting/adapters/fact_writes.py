"""The SQL behind the projection's tables of their own (not counters): contract fees and
complaints about enterprises, and households' poverty statuses. Each writes a whole batch in
one statement, on the caller's connection, inside the batch's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from xkld_shared.contracts.enterprise import EnterpriseComplaintRecorded
from xkld_shared.contracts.journey import ContractSigned
from xkld_shared.db.pool import Conn

from xkld_reporting.adapters.projection_schema import checked
from xkld_reporting.application.ports import PovertyKey


async def put_contract_fees(
    conn: Conn, schema: str, fees: Mapping[uuid.UUID, ContractSigned]
) -> None:
    """One row per registration: the contract's enterprise, market, programme, day and fee."""
    await conn.execute(
        f"""INSERT INTO {checked(schema)}.contract_fee (registration_id, enterprise_code,
                                        market_code, programme, signed_on, fee_vnd)
            SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[],
                                 $5::date[], $6::bigint[])
            ON CONFLICT (registration_id) DO UPDATE SET
                enterprise_code = EXCLUDED.enterprise_code,
                market_code = EXCLUDED.market_code, programme = EXCLUDED.programme,
                signed_on = EXCLUDED.signed_on, fee_vnd = EXCLUDED.fee_vnd""",
        list(fees),
        [e.enterprise_code for e in fees.values()],
        [e.market_code for e in fees.values()],
        [e.programme for e in fees.values()],
        [e.signed_on for e in fees.values()],
        [e.fee_vnd for e in fees.values()],
    )


async def add_complaints(
    conn: Conn, schema: str, complaints: Mapping[uuid.UUID, EnterpriseComplaintRecorded]
) -> None:
    """One row per complaint, kept as first recorded."""
    await conn.execute(
        f"""INSERT INTO {checked(schema)}.enterprise_complaint (complaint_id, enterprise_code,
                                                category, complained_on)
            SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::date[])
            ON CONFLICT (complaint_id) DO NOTHING""",
        list(complaints),
        [e.enterprise_code for e in complaints.values()],
        [e.category for e in complaints.values()],
        [e.complained_on for e in complaints.values()],
    )


async def put_poverty(conn: Conn, schema: str, latest: Mapping[PovertyKey, str]) -> None:
    """One row per household, basis and list year; the status given wins."""
    keys = list(latest)
    await conn.execute(
        f"""INSERT INTO {checked(schema)}.poverty (registration_id, basis, list_year, status)
            SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[])
            ON CONFLICT (registration_id, basis, list_year) DO UPDATE
            SET status = EXCLUDED.status""",
        [k[0] for k in keys],
        [k[1] for k in keys],
        [k[2] for k in keys],
        [latest[k] for k in keys],
    )
