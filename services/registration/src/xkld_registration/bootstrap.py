"""Composition root: the one place that builds and wires the service's parts."""

from __future__ import annotations

from fastapi import FastAPI
from xkld_shared.audit_http import audit_router
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.crypto import BlindIndex, FieldCipher, parse_keyring
from xkld_shared.http.app import service_app
from xkld_shared.logging import configure_logging
from xkld_shared.runtime import ServiceRuntime

from xkld_registration.adapters.clock import VietnamClock
from xkld_registration.adapters.communes import OfficialCommunes
from xkld_registration.adapters.postgres_store import PostgresMarkets, PostgresRegistrationStore
from xkld_registration.adapters.vault import KeyedVault
from xkld_registration.application.course_plan import CoursePlan
from xkld_registration.application.erase_personal_data import ErasePersonalDataHandler
from xkld_registration.application.erase_trainee import EraseTraineeHandler
from xkld_registration.application.journey import Journeys
from xkld_registration.application.journey_steps import JourneySteps
from xkld_registration.application.submit_registration import SubmitRegistrationHandler
from xkld_registration.application.trainee_history import TraineeHistory
from xkld_registration.application.trainees import Trainees
from xkld_registration.application.training_steps import TrainingSteps
from xkld_registration.application.training_support import TrainingSupport
from xkld_registration.entrypoints import (
    communes_http,
    course_plan_http,
    departure_http,
    files_http,
    http,
    import_http,
    journey_http,
    overview_http,
    reference_http,
    support_http,
    trainees_http,
    training_http,
)
from xkld_registration.entrypoints.on_loan import LOAN_HANDLERS
from xkld_registration.entrypoints.trainee_reads_http import router as trainee_reads
from xkld_registration.settings import RegistrationSettings

SERVICE = "registration"
MIGRATIONS = "xkld_registration:migrations"


def build_vault(settings: RegistrationSettings) -> KeyedVault:
    keys = parse_keyring(settings.pii_keys.get_secret_value())
    index_key = parse_keyring(f"idx:{settings.blind_index_key.get_secret_value()}")["idx"]
    return KeyedVault(FieldCipher(keys, settings.pii_active_kid), BlindIndex(index_key))


def create_app(settings: RegistrationSettings | None = None) -> FastAPI:
    settings = settings or RegistrationSettings()
    configure_logging(SERVICE, settings.log_level, settings.log_json)
    runtime = ServiceRuntime(SERVICE, settings)
    vault = build_vault(settings)

    async def start(rt: ServiceRuntime, app: FastAPI) -> None:
        app.state.pool = pool = await rt.open_pool()
        app.state.vault = vault
        app.state.communes = communes = OfficialCommunes()
        communes.warm_up()
        app.state.markets = markets = PostgresMarkets(pool)
        app.state.submit_registration = submit = SubmitRegistrationHandler(
            pool,
            PostgresRegistrationStore(),
            vault,
            Topics(settings.topic_prefix),
            VietnamClock(),
            communes,
            markets,
        )
        rt.on_stop(submit.aclose)
        app.state.erase_personal_data = ErasePersonalDataHandler(
            pool, Topics(settings.topic_prefix), VietnamClock()
        )
        steps = JourneySteps(pool, Topics(settings.topic_prefix), VietnamClock())
        app.state.journeys = Journeys(steps, vault)
        app.state.training = TrainingSteps(steps)
        app.state.trainees = Trainees(
            pool, vault, VietnamClock(), communes, Topics(settings.topic_prefix)
        )
        app.state.trainee_history = TraineeHistory(pool, VietnamClock())
        app.state.training_support = TrainingSupport(pool, Topics(settings.topic_prefix))
        app.state.course_plan = CoursePlan(
            pool, Topics(settings.topic_prefix), VietnamClock(), communes
        )
        app.state.erase_trainee = EraseTraineeHandler(
            pool, Topics(settings.topic_prefix), VietnamClock()
        )
        rt.new_relay()
        rt.new_broker()  # publishes nothing itself (the relay does); kept for readiness checks
        await rt.add_consumer(Stream.LOAN, LOAN_HANDLERS)

    routers = [
        overview_http.router,  # before http's /registrations/{registration_id}
        communes_http.router,
        http.router,
        files_http.router,
        import_http.router,
        files_http.markets,
        journey_http.router,
        training_http.router,
        departure_http.router,
        reference_http.router,
        audit_router("registration"),
        trainees_http.router,
        trainees_http.files,
        support_http.router,
        course_plan_http.router,
        trainee_reads,  # after trainees_http: its /trainees/outcomes-due comes first
    ]
    return service_app(runtime, start, routers)
