"""Where a service finds the public keys that sign access tokens: inline, a file, or a URL."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any, Protocol

import httpx

from xkld_shared.identity.tokens import TokenVerifier

log = logging.getLogger(__name__)


class JwksSource(Protocol):
    """Where the public keys come from: any settings with these fields (services, portal)."""

    @property
    def auth_issuer(self) -> str: ...
    @property
    def auth_audience(self) -> str: ...
    @property
    def auth_jwks(self) -> str | None: ...
    @property
    def auth_jwks_file(self) -> str | None: ...
    @property
    def auth_jwks_url(self) -> str | None: ...


class NoKeysConfigured(Exception):
    """No JWKS source is configured, so no request could ever be authenticated."""


async def load_verifier(settings: JwksSource) -> TokenVerifier:
    jwks = await _load_jwks(settings)
    return TokenVerifier(jwks, issuer=settings.auth_issuer, audience=settings.auth_audience)


async def _load_jwks(settings: JwksSource) -> dict[str, Any]:
    if settings.auth_jwks:
        parsed: dict[str, Any] = json.loads(settings.auth_jwks)
        return parsed
    if settings.auth_jwks_file:
        text = await asyncio.to_thread(Path(settings.auth_jwks_file).read_text)
        from_file: dict[str, Any] = json.loads(text)
        return from_file
    if settings.auth_jwks_url:
        return await _fetch(settings.auth_jwks_url)
    raise NoKeysConfigured(
        "set XKLD_AUTH_JWKS, XKLD_AUTH_JWKS_FILE or XKLD_AUTH_JWKS_URL: without public keys "
        "no request could be authenticated"
    )


async def _fetch(url: str, attempts: int = 30) -> dict[str, Any]:
    """The identity component may start after us: wait for it rather than crash-loop."""
    async with httpx.AsyncClient(timeout=5.0) as client:
        for attempt in range(1, attempts + 1):
            try:
                answer = await client.get(url)
                answer.raise_for_status()
                fetched: dict[str, Any] = answer.json()
                return fetched
            except (httpx.HTTPError, ValueError):
                if attempt == attempts:
                    raise
                log.warning("JWKS not reachable yet; retrying", extra={"attempt": attempt})
                await asyncio.sleep(min(attempt, 5))
    raise AssertionError("unreachable")
