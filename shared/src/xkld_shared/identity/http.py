"""FastAPI dependencies: who is calling (401 if nobody), and may they (403 if not)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from xkld_shared.errors import AppError
from xkld_shared.identity.principal import Principal, Role
from xkld_shared.identity.tokens import InvalidToken, TokenVerifier

_bearer = HTTPBearer(auto_error=False)


class NotAuthenticated(AppError):
    status_code = 401
    code = "not_authenticated"

    def __init__(self) -> None:
        super().__init__(
            "Bạn cần đăng nhập (mã truy cập thiếu, hết hạn hoặc không hợp lệ)",
            "Please sign in: the access token is missing, expired or invalid",
        )


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"

    def __init__(self) -> None:
        super().__init__(
            "Tài khoản của bạn không có quyền thực hiện thao tác này",
            "Your account is not allowed to do this",
        )


def _verifier(request: Request) -> TokenVerifier:
    verifier: TokenVerifier = request.app.state.token_verifier
    return verifier


async def current_principal(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    verifier: Annotated[TokenVerifier, Depends(_verifier)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated
    try:
        return verifier.verify(credentials.credentials)
    except InvalidToken:
        raise NotAuthenticated from None


def require(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that lets through only these roles."""
    allowed = frozenset(roles)

    # async, so FastAPI runs it inline instead of handing it to the thread pool per request.
    async def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.has_any(allowed):
            raise Forbidden
        return principal

    return check
