"""Composition root of the reporting service."""

from __future__ import annotations

from fastapi import FastAPI
from xkld_shared.audit_http import audit_router
from xkld_shared.contracts.topics import Stream
from xkld_shared.http.app import service_app
from xkld_shared.logging import configure_logging
from xkld_shared.runtime import ServiceRuntime

from xkld_reporting.adapters.admin_units import admin_units
from xkld_reporting.application.consumer import add_projection_consumer
from xkld_reporting.entrypoints import http, rural_training_http, targets
from xkld_reporting.entrypoints.metrics import metrics_router
from xkld_reporting.settings import ReportingSettings

SERVICE = "reporting"
MIGRATIONS = "xkld_reporting:migrations"


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()
    configure_logging(SERVICE, settings.log_level, settings.log_json)
    runtime = ServiceRuntime(SERVICE, settings)

    async def start(rt: ServiceRuntime, app: FastAPI) -> None:
        app.state.pool = await rt.open_pool()
        # Projections are the high-volume consumers: one transaction per batch of events.
        for stream in Stream:
            await add_projection_consumer(rt, stream)
        # Loaded now, so that the heap the shared start-up settles (xkld_shared.heap) has it.
        admin_units()

    app = service_app(
        runtime,
        start,
        [http.router, rural_training_http.router, targets.router, audit_router("reporting")],
    )
    # This service's /metrics speaks Prometheus and adds the projection lag: put first, it is
    # matched before the generic JSON one.
    for route in reversed(metrics_router(runtime).routes):
        app.router.routes.insert(0, route)
    return app
