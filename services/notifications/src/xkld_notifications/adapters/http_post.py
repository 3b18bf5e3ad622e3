"""The HTTP client every provider posts through.

aiohttp rather than httpx: at a few hundred sends a second, httpx's per-request pool
bookkeeping (which walks every pooled connection and asks each whether it expired) took a sixth
of the service's time. The session is made on first use, inside the running event loop, as
aiohttp requires, and closed with the service.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import aiohttp
from xkld_shared.tracing import client_span
from yarl import URL

from xkld_notifications.application.ports import TransientFailure


@dataclass(frozen=True)
class Answer:
    """A provider's HTTP answer, read in full."""

    status_code: int
    body: bytes

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not."""
        return json.loads(self.body)


class JsonPoster:
    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    async def post(
        self,
        span_name: str,
        url: str,
        body: Mapping[str, object],
        *,
        timeout: float,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> Answer | TransientFailure:
        """The answer, or the transient failure a timeout or a broken connection is."""
        try:
            with client_span(span_name, "POST", URL(url).host or "") as trace_headers:
                return await self._post(url, body, timeout, (headers or {}) | trace_headers, auth)
        except TimeoutError:
            return TransientFailure("timeout")
        except aiohttp.ClientError as exc:
            return TransientFailure(f"transport: {type(exc).__name__}")

    async def _post(
        self,
        url: str,
        body: Mapping[str, object],
        timeout: float,
        headers: dict[str, str],
        auth: tuple[str, str] | None,
    ) -> Answer:
        async with self._open().post(
            url,
            json=body,
            headers=headers,
            auth=aiohttp.BasicAuth(*auth) if auth else None,
            timeout=aiohttp.ClientTimeout(total=timeout),
            allow_redirects=False,
        ) as response:
            return Answer(response.status, await response.read())

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(json_serialize=_compact)
        return self._session

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def __aenter__(self) -> JsonPoster:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


def _compact(value: object) -> str:
    # Vietnamese text goes as UTF-8, not \u escapes: the same bytes httpx sent.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
