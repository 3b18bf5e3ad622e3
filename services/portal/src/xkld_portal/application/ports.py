"""What the portal's pages need from the outside world."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Protocol


class Service(StrEnum):
    IDENTITY = "identity"
    REGISTRATION = "registration"
    LOANS = "loans"
    NOTIFICATIONS = "notifications"
    REPORTING = "reporting"
    OUTREACH = "outreach"


class Api(Protocol):
    """Calls to the services with the signed-in person's own token."""

    async def get(
        self,
        service: Service,
        path: str,
        *,
        token: str | None,
        params: dict[str, Any] | None = None,
    ) -> Any: ...

    async def send(
        self,
        service: Service,
        method: str,
        path: str,
        *,
        token: str | None,
        json: Any = None,
        key: str | None = None,
        content: bytes | None = None,
        params: dict[str, Any] | None = None,
        forwarded_for: str | None = None,
    ) -> Any: ...

    async def raw(
        self,
        service: Service,
        path: str,
        *,
        token: str | None,
        params: dict[str, Any] | None = None,
    ) -> tuple[bytes, str]: ...
