"""Composition root of the outreach service: the labour-demand survey and campaigns."""

from __future__ import annotations

import asyncpg
from fastapi import APIRouter, FastAPI
from xkld_shared.audit_http import audit_router
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.http.app import service_app
from xkld_shared.logging import configure_logging
from xkld_shared.runtime import ServiceRuntime

from xkld_outreach.adapters import broadcast_store, campaign_store, rollup_queries, store
from xkld_outreach.adapters.communes import CurrentCommunes
from xkld_outreach.adapters.phones import PhoneSealer
from xkld_outreach.application.broadcasts import Broadcasts
from xkld_outreach.application.campaigns import Campaigns
from xkld_outreach.application.conversion import Conversion
from xkld_outreach.application.erasure import MemberErasure
from xkld_outreach.application.imports import SurveyImport
from xkld_outreach.application.outcomes import Outcomes
from xkld_outreach.application.rollups import Rollups
from xkld_outreach.application.survey import Survey
from xkld_outreach.application.templates import Templates
from xkld_outreach.entrypoints import (
    campaigns_http,
    conversion_http,
    erasure_http,
    http,
    import_http,
    on_notifications,
    on_registration,
    outcomes_http,
    rollups_http,
)
from xkld_outreach.settings import OutreachSettings

SERVICE = "outreach"
MIGRATIONS = "xkld_outreach:migrations"


def create_app(settings: OutreachSettings | None = None) -> FastAPI:
    settings = settings or OutreachSettings()
    configure_logging(SERVICE, settings.log_level, settings.log_json)
    runtime = ServiceRuntime(SERVICE, settings)
    topic = Topics(settings.topic_prefix).of(Stream.OUTREACH)
    sealer = PhoneSealer.from_keys(settings.pii_keys.get_secret_value(), settings.pii_active_kid)

    async def start(rt: ServiceRuntime, app: FastAPI) -> None:
        app.state.pool = pool = await rt.open_pool()
        _serve(app, pool, topic, sealer)
        rt.new_relay()
        # Course-plan places, and files made from respondents, from the registration stream.
        await rt.add_consumer(Stream.REGISTRATION, on_registration.handlers(topic))
        # What became of each campaign broadcast's recipients.
        await rt.add_consumer(Stream.NOTIFICATION, on_notifications.handlers())

    return service_app(runtime, start, _routers())


def _serve(app: FastAPI, pool: asyncpg.Pool, topic: str, sealer: PhoneSealer) -> None:
    """The use cases the endpoints find on the app."""
    communes = CurrentCommunes()
    app.state.survey = survey = Survey(pool, store, topic, communes, sealer)
    app.state.survey_import = SurveyImport(pool, store, survey)
    app.state.rollups = Rollups(pool, rollup_queries, communes)
    app.state.conversion = Conversion(pool, store)
    app.state.templates = Templates(pool, campaign_store)
    app.state.campaigns = Campaigns(pool, campaign_store, communes)
    app.state.broadcasts = Broadcasts(pool, campaign_store, broadcast_store, topic)
    app.state.outcomes = Outcomes(pool, campaign_store, broadcast_store)
    app.state.member_erasure = MemberErasure(pool, store)


def _routers() -> list[APIRouter]:
    return [
        http.router,
        import_http.router,
        outcomes_http.exports_router,
        rollups_http.router,
        conversion_http.router,
        erasure_http.router,
        campaigns_http.templates_router,
        campaigns_http.router,
        outcomes_http.router,
        audit_router("outreach"),
    ]
