"""Benchmark: p50/p99 of the province progress report, at a configurable scale.

    uv run python -m bench.reporting_query [--registrations 1000000] [--queries 300]

The projection tables are filled directly with SQL `generate_series` (replaying ~10 events per
registration through Kafka would take far longer than the query being measured; the rebuild and
ingest benchmarks measure that path). Each registration gets a commune among the province's
124, a submission date over five years, and training, departure and a disbursed loan for a
share of them; the monthly counters are derived from those rows with the same meaning the
projection gives them, and the yearly/quarterly rollup the report reads from the counters with
the migration's own query. Targets are set for every commune and the province.

Measured, in the same run:
- the report through HTTP (a real service process: auth, scope, SQL, JSON), p50/p99;
- the report's query function alone on one connection, p50/p99;
- baseline: the same actuals computed straight from the per-registration table (no counters).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable

import asyncpg
import httpx
from xkld_reporting.adapters.admin_units import admin_units
from xkld_reporting.adapters.progress_queries import progress
from xkld_reporting.adapters.projection_schema import rollup_backfill
from xkld_reporting.domain.periods import Period
from xkld_shared.identity.principal import Role
from xkld_shared.testing.processes import serving

from bench._common import load, namespace, print_table

FILL = """
INSERT INTO rp.registration (registration_id, commune_code, source_commune_code, province_code,
    gender, birth_year, submitted_on, priority_bits, desired_market, market_code, stage,
    eligible_on, trained_on, departed_on)
SELECT md5(i::text)::uuid, c, c, '86', CASE WHEN i % 2 = 0 THEN 'male' ELSE 'female' END,
       1975 + i % 30, d, i % 16, m, CASE WHEN i % 10 < 5 THEN m END,
       CASE WHEN i % 10 < 5 THEN 'departed' WHEN i % 10 < 7 THEN 'trained' ELSE 'eligible' END,
       d + 7, CASE WHEN i % 10 < 7 THEN d + 60 END, CASE WHEN i % 10 < 5 THEN d + 120 END
FROM (SELECT i, ($1::text[])[1 + i % cardinality($1::text[])] AS c,
             date '2021-01-01' + (abs(hashint4(i)) % 1800) AS d,
             (ARRAY['JP','KR','TW','DE'])[1 + i % 4] AS m
      FROM generate_series(1, $2) AS i) s;
INSERT INTO rp.loan (loan_application_id, registration_id, commune_code, applied_on,
    requested_vnd, approved_on, approved_vnd, disbursed_on, disbursed_vnd, installments,
    outstanding_vnd)
SELECT md5('l' || registration_id::text)::uuid, registration_id, commune_code, trained_on,
       100000000, trained_on + 5, 100000000, trained_on + 20, 100000000, 24, 100000000
FROM rp.registration WHERE trained_on IS NOT NULL AND hashtext(registration_id::text) % 5 < 3;
INSERT INTO rp.monthly (indicator, commune_code, month, market, n, amount_vnd, province_code)
SELECT *, '86' FROM (
SELECT 'registered', commune_code, date_trunc('month', submitted_on)::date,
       coalesce(desired_market, ''), count(*), 0 FROM rp.registration GROUP BY 2, 3, 4
UNION ALL
SELECT 'trained', commune_code, date_trunc('month', trained_on)::date, '', count(*), 0
FROM rp.registration WHERE trained_on IS NOT NULL GROUP BY 2, 3
UNION ALL
SELECT 'departed', commune_code, date_trunc('month', departed_on)::date, market_code,
       count(*), 0 FROM rp.registration WHERE departed_on IS NOT NULL GROUP BY 2, 3, 4
UNION ALL
SELECT 'loans_disbursed', commune_code, date_trunc('month', disbursed_on)::date, '',
       count(*), sum(disbursed_vnd) FROM rp.loan GROUP BY 2, 3) AS counters;
INSERT INTO target (area_code, year, quarter, indicator, value, updated_by)
SELECT a, y, 0, ind, 1000, 'bench'
FROM unnest($1::text[] || ARRAY['86']) AS a, generate_series(2021, 2026) AS y,
     unnest(ARRAY['registered','trained','departed','loans_disbursed']) AS ind;
ANALYZE;
"""

BASELINE = """
SELECT commune_code,
       count(*) FILTER (WHERE submitted_on >= $2 AND submitted_on < $3) AS registered,
       count(*) FILTER (WHERE trained_on >= $2 AND trained_on < $3) AS trained,
       count(*) FILTER (WHERE departed_on >= $2 AND departed_on < $3) AS departed,
       count(*) FILTER (WHERE submitted_on >= $4 AND submitted_on < $5) AS registered_before
FROM rp.registration WHERE commune_code = ANY($1) GROUP BY 1
"""


def percentiles(samples: list[float]) -> tuple[str, str]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return f"{1000 * statistics.median(ordered):.1f}", f"{1000 * p99:.1f}"


async def timed(n: int, call: Callable[[], Awaitable[object]]) -> list[float]:
    for _ in range(min(10, n)):  # warm caches and prepared statements
        await call()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return samples


async def bench(registrations: int, queries: int, year: int) -> None:
    units = admin_units()
    communes = units.communes_of("86")
    period = Period(year)
    async with namespace() as ns:
        conn = await asyncpg.connect(ns.dsn("reporting"))
        try:
            started = time.perf_counter()
            await conn.execute("SET synchronous_commit = off")
            for statement in FILL.split(";\n"):
                if statement.strip():
                    if "$1" in statement:
                        args = [communes, registrations] if "$2" in statement else [communes]
                        await conn.execute(statement, *args)
                    else:
                        await conn.execute(statement)
            await conn.execute(rollup_backfill("rp") + "; ANALYZE rp.rollup")
            sizes = await conn.fetchrow(
                """SELECT (SELECT count(*) FROM rp.registration) AS registrations,
                          (SELECT count(*) FROM rp.loan) AS loans,
                          (SELECT count(*) FROM rp.monthly) AS counters,
                          (SELECT count(*) FROM rp.rollup) AS rollup"""
            )
            assert sizes is not None  # a SELECT of counts always answers one row
            print(f"filled in {time.perf_counter() - started:.1f} s: {dict(sizes)}; {load()}")
            direct = await timed(queries, lambda: progress(conn, units, "86", period, None))
            prev = period.previous_year()
            baseline = await timed(
                max(queries // 10, 5),
                lambda: conn.fetch(
                    BASELINE, communes, period.start, period.end, prev.start, prev.end
                ),
            )
        finally:
            await conn.close()
        async with serving("xkld_reporting", ns.env("reporting")) as proc:
            headers = ns.auth(Role.REPORT_VIEWER)
            async with httpx.AsyncClient(base_url=proc.url, headers=headers) as client:

                async def http_call() -> None:
                    answer = await client.get(
                        "/reports/progress", params={"area": "86", "year": year}
                    )
                    answer.raise_for_status()

                over_http = await timed(queries, http_call)
                health = await timed(queries, lambda: client.get("/health"))
        print(f"measured; {load()}")
    rows = [
        [
            "GET /reports/progress?area=86 (HTTP, 125 areas)",
            str(len(over_http)),
            *percentiles(over_http),
        ],
        ["progress() query function, one connection", str(len(direct)), *percentiles(direct)],
        ["baseline: GET /health (HTTP round trip)", str(len(health)), *percentiles(health)],
        [
            "baseline: actuals from per-registration rows",
            str(len(baseline)),
            *percentiles(baseline),
        ],
    ]
    print_table(
        f"Province progress report, {registrations:,} registrations, year {year}",
        ["path", "n", "p50 ms", "p99 ms"],
        rows,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--registrations", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--year", type=int, default=2024)
    args = parser.parse_args()
    asyncio.run(bench(args.registrations, args.queries, args.year))


if __name__ == "__main__":
    main()
