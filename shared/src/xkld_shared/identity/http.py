"""FastAPI dependencies: who is calling (401 if nobody), and may they (403 if not)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request

from xkld_shared.errors import NotAllowed, NotSignedIn
from xkld_shared.identity.principal import Principal, Role
from xkld_shared.identity.tokens import InvalidToken, TokenVerifier


class NotAuthenticated(NotSignedIn):
    code = "not_authenticated"

    def __init__(self) -> None:
        super().__init__(
            "Bạn cần đăng nhập (mã truy cập thiếu, hết hạn hoặc không hợp lệ)",
            "Please sign in: the access token is missing, expired or invalid",
        )


class Forbidden(NotAllowed):
    code = "forbidden"

    def __init__(self) -> None:
        super().__init__(
            "Tài khoản của bạn không có quyền thực hiện thao tác này",
            "Your account is not allowed to do this",
        )


async def current_principal(request: Request) -> Principal:
    """Who is calling, from the bearer token; 401 if nobody (or an invalid token).

    Reads the header itself rather than through `HTTPBearer` + `Depends`: every dependency
    node costs FastAPI work on every request, and this runs on every request. The OpenAPI
    document still declares the bearer scheme (see `xkld_shared.http.app`)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        return verifier.verify(token.strip())
    except InvalidToken:
        raise NotAuthenticated from None


def require(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that lets through only these roles."""
    allowed = frozenset(roles)

    # async, so FastAPI runs it inline instead of handing it to the thread pool per request.
    async def check(request: Request) -> Principal:
        principal = await current_principal(request)
        if not principal.has_any(allowed):
            raise Forbidden
        return principal

    _TOKEN_CHECKS.add(check)
    return check


_TOKEN_CHECKS: set[object] = {current_principal}


def checks_token(call: object) -> bool:
    """True for the dependencies above: what the OpenAPI document marks as needing a token."""
    return call in _TOKEN_CHECKS
