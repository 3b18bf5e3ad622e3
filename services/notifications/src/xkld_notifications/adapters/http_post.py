"""The HTTP client every provider posts through.

aiohttp rather than httpx: on a 2-core machine httpx spent 3-6 ms of CPU per request against
aiohttp's 0.4-0.7 ms (bench/README.md), and the providers' sends were the largest single cost
of the notifications process. The session is made on first use, inside the running event loop
as aiohttp requires, and closed with the service.

The limits are httpx's defaults, phase by phase. What httpx did and this does not: read proxy
variables from the environment (aiohttp's `trust_env` would also look up ~/.netrc in a thread
on every request; no deployment of this project sets a proxy), and take its CA roots from
certifi rather than the system's.
"""

from __future__ import annotations

import json
from base64 import b64encode
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from xkld_shared.tracing import client_span

from xkld_notifications.application.ports import TransientFailure

# httpx's default pool: 100 connections. An idle one is dropped after 4 s, under the 5 s after
# which uvicorn (the fake gateway's server, and a common default) closes it, so a connection
# the server is closing at that moment is not picked up for a send.
_CONNECTIONS = 100
_KEEPALIVE_SECONDS = 4.0


@dataclass(frozen=True, slots=True)
class Answer:
    """A provider's HTTP answer, read in full."""

    status_code: int
    body: bytes

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not (as httpx's `Response.json`)."""
        return json.loads(self.body)


def phase_limits(seconds: float) -> aiohttp.ClientTimeout:
    """httpx's `timeout=seconds` as aiohttp limits: one per phase, no limit on the whole.

    httpx gives each phase `seconds`: waiting for a pooled connection, connecting, each read,
    each write. aiohttp has one limit for waiting and connecting together (`connect`), so it
    gets the sum of httpx's two; the connecting itself (`sock_connect`) and each read
    (`sock_read`) get `seconds`. aiohttp has no write limit: a send's body is a few hundred
    bytes, written into the socket's buffer at once.
    """
    return aiohttp.ClientTimeout(
        total=None, connect=2 * seconds, sock_connect=seconds, sock_read=seconds
    )


class JsonPoster:
    """POSTs a JSON body and reads the answer; a timeout or a broken connection is the
    provider's transient failure, as it was with httpx."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    async def post(
        self,
        span_name: str,
        url: str,
        body: Mapping[str, object],
        *,
        timeout: float,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> Answer | TransientFailure:
        """The answer, or the transient failure a timeout or a broken connection is."""
        try:
            with client_span(span_name, "POST", urlsplit(url).hostname or "") as trace_headers:
                sent = {**(headers or {}), **_authorization(auth), **trace_headers}
                return await self._post(url, body, phase_limits(timeout), sent)
        except TimeoutError:  # aiohttp's timeouts are TimeoutErrors too
            return TransientFailure("timeout")
        except aiohttp.ClientError as exc:
            # Only the type: the message can carry the URL, and a webhook's may hold a token.
            return TransientFailure(f"transport: {type(exc).__name__}")

    async def _post(
        self,
        url: str,
        body: Mapping[str, object],
        limits: aiohttp.ClientTimeout,
        headers: Mapping[str, str],
    ) -> Answer:
        async with self._open().post(
            url,
            json=body,
            headers=headers,
            timeout=limits,
            allow_redirects=False,  # httpx's default: a redirect is an answer, not followed
        ) as response:
            return Answer(response.status, await response.read())

    def _open(self) -> aiohttp.ClientSession:
        # Closed too: an app started again after a stop (as tests do) gets a session again.
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=_CONNECTIONS, keepalive_timeout=_KEEPALIVE_SECONDS
            )
            self._session = aiohttp.ClientSession(connector=connector, json_serialize=_as_httpx)
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


def _authorization(auth: tuple[str, str] | None) -> dict[str, str]:
    # Built here as httpx built it (UTF-8, base64): aiohttp 3.14 deprecates its `auth=` and
    # `BasicAuth`, and their default encoding is Latin-1.
    if auth is None:
        return {}
    pair = b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
    return {"Authorization": f"Basic {pair}"}


def _as_httpx(value: object) -> str:
    # The bytes httpx sent: compact, Vietnamese text as UTF-8 rather than \u escapes, and no
    # NaN (which is not JSON).
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
