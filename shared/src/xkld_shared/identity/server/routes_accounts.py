"""Account management, for administrators only."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field, field_validator

from xkld_shared.http.strict import RequestModel
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role
from xkld_shared.identity.server.accounts import Account
from xkld_shared.identity.server.admin import AccountAdmin, Actor, NewAccount
from xkld_shared.identity.server.passwords import MAX_LENGTH

_MAX_COMMUNES = 2000  # a whole province has fewer


class AccountCreate(RequestModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(max_length=128)
    full_name: str = Field(max_length=400)
    password: str = Field(max_length=MAX_LENGTH)
    roles: list[str] = Field(max_length=len(Role))
    communes: list[str] = Field(default_factory=list, max_length=_MAX_COMMUNES)
    province: str | None = Field(default=None, max_length=16)
    branch: str | None = Field(default=None, max_length=128)


class AccountPatch(RequestModel):
    """Only the fields present change; `province` and `branch` may be set to null to clear."""

    model_config = ConfigDict(extra="forbid")

    full_name: str | None = Field(default=None, max_length=400)
    roles: list[str] | None = Field(default=None, max_length=len(Role))
    communes: list[str] | None = Field(default=None, max_length=_MAX_COMMUNES)
    province: str | None = Field(default=None, max_length=16)
    branch: str | None = Field(default=None, max_length=128)
    disabled: bool | None = None

    @field_validator("full_name", "roles", "communes", "disabled", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may be left out, but not null")
        return value


class PasswordReset(RequestModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(max_length=MAX_LENGTH)


class AccountView(BaseModel):
    id: uuid.UUID
    username: str
    full_name: str
    roles: list[str]
    communes: list[str]
    province: str | None
    branch: str | None
    disabled: bool
    locked_until: dt.datetime | None
    password_changed_at: dt.datetime
    created_at: dt.datetime
    updated_at: dt.datetime
    created_by: str

    @classmethod
    def of(cls, account: Account) -> AccountView:
        p = account.profile
        return cls(
            id=account.id,
            username=account.username,
            full_name=p.full_name,
            roles=sorted(p.roles),
            communes=sorted(p.communes),
            province=p.province,
            branch=p.branch,
            disabled=p.disabled,
            locked_until=account.locked_until,
            password_changed_at=account.password_changed_at,
            created_at=account.created_at,
            updated_at=account.updated_at,
            created_by=account.created_by,
        )


class AccountList(BaseModel):
    accounts: list[AccountView]


def _admin(request: Request) -> AccountAdmin:
    admin: AccountAdmin = request.app.state.accounts
    return admin


def _actor(request: Request, principal: Principal) -> Actor:
    return Actor(principal.subject, request.client.host if request.client else None)


Administrator = Annotated[Principal, Depends(require(Role.ADMIN))]
Accounts = Annotated[AccountAdmin, Depends(_admin)]
router = APIRouter(prefix="/accounts", tags=["accounts"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_account(
    body: AccountCreate, request: Request, principal: Administrator, accounts: Accounts
) -> AccountView:
    account = await accounts.create(_actor(request, principal), NewAccount(**body.model_dump()))
    return AccountView.of(account)


@router.get("")
async def list_accounts(
    _: Administrator,
    accounts: Accounts,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> AccountList:
    page = await accounts.page(limit=limit, offset=offset)
    return AccountList(accounts=[AccountView.of(a) for a in page])


@router.get("/{account_id}")
async def get_account(account_id: uuid.UUID, _: Administrator, accounts: Accounts) -> AccountView:
    return AccountView.of(await accounts.get(account_id))


@router.patch("/{account_id}")
async def change_account(
    account_id: uuid.UUID,
    body: AccountPatch,
    request: Request,
    principal: Administrator,
    accounts: Accounts,
) -> AccountView:
    changes = body.model_dump(exclude_unset=True)
    account = await accounts.update(_actor(request, principal), account_id, changes)
    return AccountView.of(account)


@router.post("/{account_id}/reset-password", status_code=status.HTTP_204_NO_CONTENT)
async def reset_password(
    account_id: uuid.UUID,
    body: PasswordReset,
    request: Request,
    principal: Administrator,
    accounts: Accounts,
) -> None:
    await accounts.reset_password(_actor(request, principal), account_id, body.password)


@router.post("/{account_id}/unlock")
async def unlock_account(
    account_id: uuid.UUID, request: Request, principal: Administrator, accounts: Accounts
) -> AccountView:
    """Ends a lock (from a distributed attack) and lets every address try again at once."""
    return AccountView.of(await accounts.unlock(_actor(request, principal), account_id))
