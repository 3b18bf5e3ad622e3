"""The administrator's accounts: the list, a new account, roles with communes or a branch,
a password reset, and locking or unlocking (the identity component's /accounts)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from xkld_shared.identity.principal import Role

from xkld_portal.application.errors import NotAllowed, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import staff_forms as forms
from xkld_portal.domain.labels import ROLES
from xkld_portal.entrypoints.staff_common import Attempt, finished, form_key_of
from xkld_portal.entrypoints.web import FormDep, Portal, PortalDep, Visitor, VisitorDep, render

router = APIRouter()
ID = Service.IDENTITY


def _admin_only(visitor: Visitor) -> None:
    if not visitor.can(Role.ADMIN):
        raise NotAllowed


def _typed(form: dict[str, Any]) -> dict[str, Any]:
    """What was typed, to show again (never the password); ticked roles as one string."""
    typed = {k: v for k, v in form.items() if isinstance(v, str) and k != "password"}
    return typed | {"roles": " ".join(_roles(form))}


def _roles(form: dict[str, Any]) -> list[str]:
    ticked = form.get("roles") or []
    return [ticked] if isinstance(ticked, str) else [str(r) for r in ticked]


def _scope(form: dict[str, Any]) -> dict[str, Any]:
    return {
        "communes": forms.codes(form, "communes"),
        "province": forms.optional(form, "province"),
        "branch": forms.optional(form, "branch"),
    }


async def _list_page(
    request: Request, portal: Portal, visitor: Visitor, attempt: Attempt
) -> Response:
    listed = await portal.api.get(ID, "/accounts", token=visitor.token, params={"limit": 500})
    if attempt.form is None:
        attempt = Attempt("account", attempt.key("account"), {})
    return render(
        request,
        portal,
        "admin_accounts.html",
        visitor=visitor,
        status_code=attempt.status,
        accounts=listed["accounts"],
        attempt=attempt,
        roles=ROLES,
        created=request.query_params.get("created"),
    )


@router.get("/admin/accounts")
async def accounts(request: Request, portal: PortalDep, visitor: VisitorDep) -> Response:
    _admin_only(visitor)
    return await _list_page(request, portal, visitor, Attempt())


def _new_account(form: dict[str, Any]) -> dict[str, Any]:
    return {
        "username": forms.text(form, "username"),
        "full_name": forms.text(form, "full_name"),
        "password": _password(form),
        "roles": _roles(form),
    } | _scope(form)


def _password(form: dict[str, Any]) -> Any:
    return form.get("password") if isinstance(form.get("password"), str) else ""


def _profile(form: dict[str, Any]) -> dict[str, Any]:
    return {"full_name": forms.text(form, "full_name"), "roles": _roles(form)} | _scope(form)


@router.post("/admin/accounts")
async def create(
    request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    _admin_only(visitor)
    key = form_key_of(form)
    body = _new_account(form)
    try:
        made = await portal.api.send(
            ID, "POST", "/accounts", token=visitor.token, json=body, key=key
        )
    except Refusal as refused:
        return await _list_page(
            request, portal, visitor, Attempt("account", key, _typed(form), refused)
        )
    return finished(request, f"/admin/accounts/{made['id']}?created=1", key)


def _as_typed(account: dict[str, Any]) -> dict[str, str]:
    return {
        "full_name": account["full_name"],
        "roles": " ".join(account["roles"]),
        "communes": " ".join(account["communes"]),
        "province": account.get("province") or "",
        "branch": account.get("branch") or "",
    }


async def _account_page(
    request: Request, portal: Portal, visitor: Visitor, aid: uuid.UUID, attempt: Attempt
) -> Response:
    account = await portal.api.get(ID, f"/accounts/{aid}", token=visitor.token)
    return render(
        request,
        portal,
        "admin_account.html",
        visitor=visitor,
        status_code=attempt.status,
        account=account,
        recorded=_as_typed(account),
        attempt=attempt,
        roles=ROLES,
        done=request.query_params.get("created") or request.query_params.get("changed"),
    )


@router.get("/admin/accounts/{aid}")
async def account(
    aid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep
) -> Response:
    _admin_only(visitor)
    return await _account_page(request, portal, visitor, aid, Attempt())


async def _change(
    request: Request,
    portal: Portal,
    visitor: Visitor,
    aid: uuid.UUID,
    form: dict[str, Any],
    which: str,
    calls: list[tuple[str, str, Any]],
) -> Response:
    """One or more calls to /accounts for one form; a refusal re-renders that form."""
    key = form_key_of(form)
    try:
        for method, path, body in calls:
            await portal.api.send(ID, method, path, token=visitor.token, json=body, key=key)
    except Refusal as refused:
        attempt = Attempt(which, key, _typed(form), refused)
        return await _account_page(request, portal, visitor, aid, attempt)
    return finished(request, f"/admin/accounts/{aid}?changed={which}", key)


@router.post("/admin/accounts/{aid}")
async def edit(
    aid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    _admin_only(visitor)
    calls = [("PATCH", f"/accounts/{aid}", _profile(form))]
    return await _change(request, portal, visitor, aid, form, "edit", calls)


@router.post("/admin/accounts/{aid}/password")
async def reset_password(
    aid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    _admin_only(visitor)
    calls = [("POST", f"/accounts/{aid}/reset-password", {"password": _password(form)})]
    return await _change(request, portal, visitor, aid, form, "password", calls)


@router.post("/admin/accounts/{aid}/lock")
async def lock(
    aid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    """Locking disables the account (its sessions end); unlocking enables it again and ends
    a lock left by failed sign-ins."""
    _admin_only(visitor)
    locking = forms.yes(form, "locked")
    calls: list[tuple[str, str, Any]] = [("PATCH", f"/accounts/{aid}", {"disabled": locking})]
    if not locking:
        calls.append(("POST", f"/accounts/{aid}/unlock", None))
    return await _change(request, portal, visitor, aid, form, "lock", calls)
