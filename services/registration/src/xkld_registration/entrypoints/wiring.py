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
from xkld_registration.application.erase_personal_data import ErasePersonalDataHandler
from xkld_registration.application.erase_trainee import EraseTraineeHandler
from xkld_registration.application.submit_registration import SubmitRegistrationHandler

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
