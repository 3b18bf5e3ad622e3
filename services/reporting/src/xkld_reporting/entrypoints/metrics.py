"""`/metrics` in the Prometheus text format: projection lag per stream, and consumer counts."""

from __future__ import annotations

import asyncpg
from fastapi import APIRouter, Request, Response
from xkld_shared.runtime import ServiceRuntime

from xkld_reporting.adapters.queries import freshness

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def metrics_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/metrics", operation_id="reporting_metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        pool: asyncpg.Pool = request.app.state.pool
        async with pool.acquire() as conn:
            fresh = await freshness(conn)
        lines = [
            "# HELP xkld_reporting_projection_lag_seconds Now minus the newest event projected.",
            "# TYPE xkld_reporting_projection_lag_seconds gauge",
        ]
        for s in fresh.streams:
            value = "NaN" if s.lag_seconds is None else f"{s.lag_seconds:.3f}"
            lines.append(f'xkld_reporting_projection_lag_seconds{{stream="{s.stream}"}} {value}')
        lines += [
            "# HELP xkld_reporting_projected_events_total Events applied to the projection.",
            "# TYPE xkld_reporting_projected_events_total counter",
        ]
        lines += [
            f'xkld_reporting_projected_events_total{{stream="{s.stream}"}} {s.events}'
            for s in fresh.streams
        ]
        lines += [
            "# HELP xkld_consumer_events_total Records handled by each consumer, by outcome.",
            "# TYPE xkld_consumer_events_total counter",
        ]
        for consumer in runtime.consumers:
            stats = consumer.stats
            for outcome in ("applied", "duplicates", "skipped_unknown", "dead_lettered"):
                lines.append(
                    f'xkld_consumer_events_total{{consumer="{consumer.name}",outcome="{outcome}"}} '
                    f"{getattr(stats, outcome)}"
                )
        return Response("\n".join(lines) + "\n", media_type=CONTENT_TYPE)

    return router
