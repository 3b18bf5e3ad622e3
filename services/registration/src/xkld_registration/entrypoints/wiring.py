"""What the composition root hands the routes, as typed dependencies (see
`xkld_shared.http.wiring`): a route names what it needs, and mypy follows it to the use case."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import Depends
from xkld_shared.http.wiring import from_app_state

from xkld_registration.adapters.communes import OfficialCommunes
from xkld_registration.adapters.postgres_store import PostgresMarkets
from xkld_registration.adapters.vault import KeyedVault
from xkld_registration.application.change_consent import ConsentChanges
from xkld_registration.application.course_plan import CoursePlan
from xkld_registration.application.enterprise_complaints import EnterpriseComplaints
from xkld_registration.application.erase_personal_data import ErasePersonalDataHandler
from xkld_registration.application.erase_trainee import EraseTraineeHandler
from xkld_registration.application.files import FileLists
from xkld_registration.application.journey import Journeys
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

DbPool = Annotated[asyncpg.Pool, Depends(from_app_state("pool", asyncpg.Pool))]
Vault = Annotated[KeyedVault, Depends(from_app_state("vault", KeyedVault))]
Communes = Annotated[OfficialCommunes, Depends(from_app_state("communes", OfficialCommunes))]
Markets = Annotated[PostgresMarkets, Depends(from_app_state("markets", PostgresMarkets))]
Submit = Annotated[
    SubmitRegistrationHandler,
    Depends(from_app_state("submit_registration", SubmitRegistrationHandler)),
]
Erase = Annotated[
    ErasePersonalDataHandler,
    Depends(from_app_state("erase_personal_data", ErasePersonalDataHandler)),
]
EraseTrainee = Annotated[
    EraseTraineeHandler, Depends(from_app_state("erase_trainee", EraseTraineeHandler))
]
MarketList = Annotated[MarketBook, Depends(from_app_state("market_book", MarketBook))]
References = Annotated[ReferenceData, Depends(from_app_state("reference_data", ReferenceData))]
Files = Annotated[FileLists, Depends(from_app_state("file_lists", FileLists))]
Complaints = Annotated[
    EnterpriseComplaints,
    Depends(from_app_state("enterprise_complaints", EnterpriseComplaints)),
]
Consents = Annotated[ConsentChanges, Depends(from_app_state("consent_changes", ConsentChanges))]
Reintegrations = Annotated[Reintegration, Depends(from_app_state("reintegration", Reintegration))]
CoursePlans = Annotated[CoursePlan, Depends(from_app_state("course_plan", CoursePlan))]
ReturnSupports = Annotated[ReturnSupport, Depends(from_app_state("return_support", ReturnSupport))]
TrainingSupports = Annotated[
    TrainingSupport, Depends(from_app_state("training_support", TrainingSupport))
]
PovertyBook = Annotated[
    PovertyStatuses, Depends(from_app_state("poverty_statuses", PovertyStatuses))
]
TraineeSteps = Annotated[Trainees, Depends(from_app_state("trainees", Trainees))]
TraineeHistories = Annotated[
    TraineeHistory, Depends(from_app_state("trainee_history", TraineeHistory))
]
TrainingCourses = Annotated[TrainingSteps, Depends(from_app_state("training", TrainingSteps))]
Stories = Annotated[SuccessStories, Depends(from_app_state("success_stories", SuccessStories))]
WorkerJourneys = Annotated[Journeys, Depends(from_app_state("journeys", Journeys))]
# How many days without news make a worker abroad "silent" (settings.silent_days).
SilentDays = Annotated[int, Depends(from_app_state("silent_days", int))]
