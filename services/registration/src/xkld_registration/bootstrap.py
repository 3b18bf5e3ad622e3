"""Composition root: the one place that builds and wires the service's parts."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from fastapi import APIRouter, FastAPI
from starlette.datastructures import State
from xkld_shared.audit_http import audit_router
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.crypto import BlindIndex, FieldCipher, parse_keyring
from xkld_shared.http.app import service_app
from xkld_shared.logging import configure_logging
from xkld_shared.runtime import ServiceRuntime

from xkld_registration.adapters.clock import VietnamClock
from xkld_registration.adapters.communes import OfficialCommunes
from xkld_registration.adapters.complaint_store import PostgresComplaints
from xkld_registration.adapters.course_plan_store import PostgresCoursePlan
from xkld_registration.adapters.enrolment_store import PostgresEnrolments
from xkld_registration.adapters.file_erasure import PostgresFileErasure
from xkld_registration.adapters.file_finder import PostgresFileFinder
from xkld_registration.adapters.follow_up_records import (
    PostgresConsents,
    PostgresPovertyStatuses,
    PostgresStories,
)
from xkld_registration.adapters.journey_details import PostgresJourneyDetails
from xkld_registration.adapters.journey_store import PostgresJourneyFiles
from xkld_registration.adapters.market_store import PostgresMarketStore
from xkld_registration.adapters.postgres_store import (
    PostgresMarkets,
    PostgresRegistrationRows,
    PostgresRegistrationStore,
)
from xkld_registration.adapters.reference_store import PostgresReferenceStore
from xkld_registration.adapters.reintegration_store import PostgresReintegration
from xkld_registration.adapters.return_support_store import PostgresReturnSupport
from xkld_registration.adapters.support_store import PostgresSupportStore
from xkld_registration.adapters.trainee_records import PostgresTraineeRecords
from xkld_registration.adapters.trainee_store import PostgresTraineeStore
from xkld_registration.adapters.vault import KeyedVault
from xkld_registration.application.change_consent import ConsentChanges
from xkld_registration.application.check_in_by_sms import CheckInBySms
from xkld_registration.application.course_plan import CoursePlan
from xkld_registration.application.enterprise_complaints import EnterpriseComplaints
from xkld_registration.application.erase_personal_data import ErasePersonalDataHandler
from xkld_registration.application.erase_trainee import EraseTraineeHandler
from xkld_registration.application.files import FileLists
from xkld_registration.application.journey import Journeys
from xkld_registration.application.journey_steps import JourneySteps
from xkld_registration.application.markets import MarketBook
from xkld_registration.application.poverty import PovertyStatuses
from xkld_registration.application.reference import ReferenceData
from xkld_registration.application.reintegration import Reintegration
from xkld_registration.application.return_support import ReturnSupport
from xkld_registration.application.submit_registration import SubmitRegistrationHandler
from xkld_registration.application.success_stories import SuccessStories
from xkld_registration.application.trainee_history import TraineeHistory
from xkld_registration.application.trainees import Trainees
from xkld_registration.application.training_steps import TrainingSteps
from xkld_registration.application.training_support import TrainingSupport
from xkld_registration.entrypoints import (
    communes_http,
    complaints_http,
    course_plan_http,
    departure_http,
    files_http,
    follow_up_http,
    http,
    import_http,
    journey_http,
    overview_http,
    poverty_http,
    reference_http,
    reintegration_http,
    return_support_http,
    success_stories_http,
    support_http,
    trainees_http,
    training_http,
)
from xkld_registration.entrypoints.metrics import add_programme_metrics
from xkld_registration.entrypoints.on_loan import LOAN_HANDLERS
from xkld_registration.entrypoints.trainee_reads_http import router as trainee_reads
from xkld_registration.settings import RegistrationSettings

SERVICE = "registration"
MIGRATIONS = "xkld_registration:migrations"


def build_vault(settings: RegistrationSettings) -> KeyedVault:
    keys = parse_keyring(settings.pii_keys.get_secret_value())
    index_key = parse_keyring(f"idx:{settings.blind_index_key.get_secret_value()}")["idx"]
    return KeyedVault(FieldCipher(keys, settings.pii_active_kid), BlindIndex(index_key))


@dataclass(frozen=True)
class _Parts:
    """What every use case is built from, made once at start."""

    pool: asyncpg.Pool
    vault: KeyedVault
    topics: Topics
    clock: VietnamClock
    communes: OfficialCommunes


def create_app(settings: RegistrationSettings | None = None) -> FastAPI:
    settings = settings or RegistrationSettings()
    configure_logging(SERVICE, settings.log_level, settings.log_json)
    runtime = ServiceRuntime(SERVICE, settings)
    vault = build_vault(settings)

    async def start(rt: ServiceRuntime, app: FastAPI) -> None:
        parts = await _open_parts(rt, app.state, vault, settings.topic_prefix)
        rt.on_stop(_wire_files(app.state, parts).aclose)
        _wire_journey_and_training(app.state, parts)
        _wire_follow_up(app.state, parts, settings.silent_days)
        await _start_messaging(rt, parts)

    return service_app(runtime, start, _routers())


async def _open_parts(
    rt: ServiceRuntime, state: State, vault: KeyedVault, topic_prefix: str
) -> _Parts:
    state.pool = pool = await rt.open_pool()
    state.vault = vault
    state.communes = communes = OfficialCommunes()
    communes.warm_up()
    return _Parts(pool, vault, Topics(topic_prefix), VietnamClock(), communes)


async def _start_messaging(rt: ServiceRuntime, parts: _Parts) -> None:
    """The outbox relay, the metrics, and the consumers of the loans and SMS replies."""
    rt.new_relay()
    add_programme_metrics(rt.metrics)
    rt.new_broker()  # publishes nothing itself (the relay does); kept for readiness checks
    await rt.add_consumer(Stream.LOAN, LOAN_HANDLERS)
    by_sms = CheckInBySms(
        parts.topics.of(Stream.REGISTRATION), PostgresJourneyFiles(), PostgresJourneyDetails()
    )
    await rt.add_consumer(Stream.NOTIFICATION, by_sms.handlers())


def _wire_files(state: State, p: _Parts) -> SubmitRegistrationHandler:
    """Intake, the file lists, erasure and the reference data files rest on."""
    state.markets = markets = PostgresMarkets(p.pool)
    state.market_book = MarketBook(p.pool, PostgresMarketStore())
    state.file_lists = FileLists(
        p.pool, (PostgresFileFinder(), PostgresRegistrationRows()), p.vault
    )
    state.reference_data = ReferenceData(p.pool, PostgresReferenceStore(), PostgresCoursePlan())
    state.submit_registration = submit = SubmitRegistrationHandler(
        p.pool, PostgresRegistrationStore(), p.vault, p.topics, p.clock, p.communes, markets
    )
    state.erase_personal_data = ErasePersonalDataHandler(
        p.pool, PostgresFileErasure(), p.topics, p.clock
    )
    state.enterprise_complaints = EnterpriseComplaints(
        p.pool, PostgresComplaints(), p.topics, p.clock
    )
    return submit


def _wire_journey_and_training(state: State, p: _Parts) -> None:
    """The worker's journey, courses, and trainees who stay with their support."""
    steps = JourneySteps(p.pool, PostgresJourneyFiles(), p.topics, p.clock)
    state.journeys = Journeys(steps, p.vault, PostgresJourneyDetails())
    state.training = TrainingSteps(steps, PostgresEnrolments())
    trainee_store = PostgresTraineeStore()
    state.trainees = Trainees(p.pool, trainee_store, p.vault, p.clock, p.communes, p.topics)
    state.trainee_history = TraineeHistory(
        p.pool, (trainee_store, PostgresTraineeRecords()), p.clock
    )
    state.training_support = TrainingSupport(p.pool, PostgresSupportStore(), p.topics)
    state.course_plan = CoursePlan(p.pool, PostgresCoursePlan(), p.topics, p.clock, p.communes)
    state.erase_trainee = EraseTraineeHandler(p.pool, trainee_store, p.topics, p.clock)


def _wire_follow_up(state: State, p: _Parts, silent_days: int) -> None:
    """Following a worker abroad and after the return."""
    state.silent_days = silent_days
    files = PostgresJourneyFiles()
    state.return_support = ReturnSupport(p.pool, (files, PostgresReturnSupport()), p.clock)
    returns = PostgresReintegration()
    state.reintegration = Reintegration(p.pool, (files, returns), p.topics, p.clock)
    communes = p.communes
    state.success_stories = SuccessStories(
        p.pool,
        (files, PostgresStories()),
        lambda code: unit.name if (unit := communes.unit(code)) else code,
    )
    state.poverty_statuses = PovertyStatuses(
        p.pool, (files, PostgresPovertyStatuses(), returns), p.topics, p.clock
    )
    state.consent_changes = ConsentChanges(p.pool, PostgresConsents())


def _routers() -> list[APIRouter]:
    return [
        overview_http.router,  # before http's /registrations/{registration_id}
        follow_up_http.router,  # the same
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
        return_support_http.router,
        reintegration_http.router,
        poverty_http.router,
        success_stories_http.router,
        trainee_reads,  # after trainees_http: its /trainees/outcomes-due comes first
        complaints_http.router,
    ]
