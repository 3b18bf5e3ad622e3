"""Composition root of the reporting service."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from xkld_shared.audit_http import audit_router
from xkld_shared.contracts.topics import Stream
from xkld_shared.http.app import service_app
from xkld_shared.logging import configure_logging
from xkld_shared.runtime import ServiceRuntime, Starter

from xkld_reporting.adapters import admin_units as unit_map
from xkld_reporting.adapters import fact_writes, projection_writes, rows
from xkld_reporting.adapters.admin_units import admin_units
from xkld_reporting.adapters.reputation_rules import load_rules
from xkld_reporting.application.consumer import add_projection_consumer
from xkld_reporting.application.projector import Projector
from xkld_reporting.entrypoints import (
    enterprise_http,
    http,
    outcomes_http,
    rural_training_http,
    targets,
)
from xkld_reporting.entrypoints.metrics import add_projection_metrics
from xkld_reporting.settings import ReportingSettings

SERVICE = "reporting"
MIGRATIONS = "xkld_reporting:migrations"


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()
    configure_logging(SERVICE, settings.log_level, settings.log_json)
    runtime = ServiceRuntime(SERVICE, settings)
    return service_app(runtime, _starter(settings), _routers())


def _starter(settings: ReportingSettings) -> Starter:
    async def start(rt: ServiceRuntime, app: FastAPI) -> None:
        app.state.pool = pool = await rt.open_pool()
        add_projection_metrics(rt.metrics, pool)
        app.state.reputation_rules = load_rules(settings.reputation_rules_file)
        # Projections are the high-volume consumers: one transaction per batch of events.
        projection = projector()
        for stream in Stream:
            await add_projection_consumer(rt, stream, projection)
        # Loaded now, so that the heap the shared start-up settles (xkld_shared.heap) has it.
        admin_units()

    return start


def projector() -> Projector:
    """The projection with its storage: the live consumers' and the rebuild's."""
    return Projector(projection_writes, rows, fact_writes, unit_map)


def _routers() -> list[APIRouter]:
    return [
        http.router,
        rural_training_http.router,
        targets.router,
        audit_router("reporting"),
        outcomes_http.router,
        enterprise_http.router,
    ]
