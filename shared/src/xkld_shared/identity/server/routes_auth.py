"""Sign-in endpoints and the discovery documents services and clients read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from xkld_shared.http.strict import RequestModel
from xkld_shared.identity.server.auth import Authenticator, Tokens
from xkld_shared.identity.server.passwords import MAX_LENGTH
from xkld_shared.identity.server.refresh_tokens import Client
from xkld_shared.identity.tokens import ALGORITHM

JWKS_PATH = "/.well-known/jwks.json"
LOGIN_PATH = "/auth/login"
LOGOUT_PATH = "/auth/logout"


@dataclass(frozen=True)
class Discovery:
    issuer: str
    jwks: dict[str, Any]
    public_url: str | None = None


class LoginRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=MAX_LENGTH)


class RefreshRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=1, max_length=256)


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a scheme name, not a secret
    expires_in: int
    refresh_token: str


def _authenticator(request: Request) -> Authenticator:
    authenticator: Authenticator = request.app.state.authenticator
    return authenticator


def _discovery(request: Request) -> Discovery:
    discovery: Discovery = request.app.state.discovery
    return discovery


def client_of(request: Request) -> Client:
    agent = request.headers.get("user-agent")
    return Client(
        ip=request.client.host if request.client else None,
        user_agent=agent[:256] if agent else None,
    )


def _answer(tokens: Tokens, response: Response) -> TokenResponse:
    response.headers["Cache-Control"] = "no-store"  # as OAuth 2.0 requires of token responses
    return TokenResponse(
        access_token=tokens.access_token,
        expires_in=tokens.expires_in,
        refresh_token=tokens.refresh_token,
    )


AuthenticatorDep = Annotated[Authenticator, Depends(_authenticator)]
router = APIRouter(tags=["auth"])


@router.post(LOGIN_PATH)
async def login(
    body: LoginRequest, request: Request, response: Response, auth: AuthenticatorDep
) -> TokenResponse:
    tokens = await auth.login(body.username, body.password, client_of(request))
    return _answer(tokens, response)


@router.post("/auth/refresh")
async def refresh(
    body: RefreshRequest, request: Request, response: Response, auth: AuthenticatorDep
) -> TokenResponse:
    return _answer(await auth.refresh(body.refresh_token, client_of(request)), response)


@router.post(LOGOUT_PATH, status_code=status.HTTP_204_NO_CONTENT)
async def logout(body: RefreshRequest, auth: AuthenticatorDep) -> None:
    await auth.logout(body.refresh_token)


@router.get(JWKS_PATH)
async def jwks(
    response: Response, discovery: Annotated[Discovery, Depends(_discovery)]
) -> dict[str, Any]:
    response.headers["Cache-Control"] = "public, max-age=300"
    return discovery.jwks


@router.get("/.well-known/openid-configuration")
async def openid_configuration(
    request: Request, discovery: Annotated[Discovery, Depends(_discovery)]
) -> dict[str, Any]:
    base = (discovery.public_url or str(request.base_url)).rstrip("/")
    return {
        "issuer": discovery.issuer,
        "jwks_uri": base + JWKS_PATH,
        "token_endpoint": base + LOGIN_PATH,
        "revocation_endpoint": base + LOGOUT_PATH,
        "grant_types_supported": ["password", "refresh_token"],
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [ALGORITHM],
        "token_endpoint_auth_methods_supported": ["none"],
        "claims_supported": ["sub", "preferred_username", "roles", "xkld_scope"],
    }
