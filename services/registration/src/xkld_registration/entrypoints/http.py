"""HTTP routes: parse, call the application, shape the answer. No rules live here."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, ConfigDict, Field
from xkld_shared.http.app import correlation_id_of

from xkld_registration.application.submit_registration import SubmitRegistrationHandler
from xkld_registration.domain.registration import SubmitRegistration


class RegistrationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full_name: str = Field(min_length=1, max_length=200)
    cccd: str = Field(min_length=1, max_length=20)
    date_of_birth: dt.date
    gender: Literal["male", "female"]
    phone: str = Field(min_length=1, max_length=20)
    commune_code: str = Field(min_length=1, max_length=10)
    sms_consent: bool


class RegistrationCreated(BaseModel):
    registration_id: uuid.UUID
    status: str
    commune_code: str
    submitted_on: dt.date


def _submit_handler(request: Request) -> SubmitRegistrationHandler:
    handler: SubmitRegistrationHandler = request.app.state.submit_registration
    return handler


router = APIRouter(prefix="/registrations", tags=["registrations"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def submit_registration(
    body: RegistrationRequest,
    request: Request,
    submit: Annotated[SubmitRegistrationHandler, Depends(_submit_handler)],
) -> RegistrationCreated:
    registration = await submit(
        SubmitRegistration(**body.model_dump()), correlation_id=correlation_id_of(request)
    )
    return RegistrationCreated(
        registration_id=registration.id,
        status=registration.status.value,
        commune_code=registration.commune_code,
        submitted_on=registration.submitted_on,
    )
