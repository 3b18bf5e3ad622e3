"""The services' APIs over HTTP: one pooled client each, timeouts, the caller's own token, and
their answers turned into what a page can show. A call is retried only when it carries an
Idempotency-Key (or only reads), since only then can a second try not do the work twice."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx
from opentelemetry.trace import SpanKind
from xkld_shared.logging import current_correlation_id
from xkld_shared.tracing import TRACEPARENT, current_traceparent, tracer

from xkld_portal.adapters.timing import backend_call
from xkld_portal.application.errors import (
    NotAllowed,
    NothingHere,
    Refusal,
    SignInNeeded,
    Unavailable,
)
from xkld_portal.application.ports import Service

log = logging.getLogger(__name__)
_GENERIC = ("Yêu cầu không hợp lệ", "The request was not accepted")


@contextmanager
def _client_span(service: Service, method: str, headers: dict[str, str]) -> Iterator[None]:
    """A client span per call, child of the page's server span, whose `traceparent` the
    service continues: one trace from the officer's click to the consumer's effect. Named by
    service and method only; the path can hold an id."""
    with tracer.start_as_current_span(f"{method} {service}", kind=SpanKind.CLIENT):
        if traceparent := current_traceparent():
            headers[TRACEPARENT] = traceparent
        yield


@dataclass(frozen=True)
class Answer:
    """A service's whole answer, read before the connection goes back to the pool."""

    status_code: int
    content: bytes
    content_type: str

    def json(self) -> Any:
        return json.loads(self.content)


class HttpApi:
    """aiohttp rather than httpx: under load the portal's one event loop is its bottleneck, and
    httpx's pool bookkeeping was about half of its CPU (bench/README.md, "The portal's client").
    httpx still encodes the query strings, so they read as they always did."""

    def __init__(self, urls: Mapping[Service, str], timeout: float) -> None:
        self._urls = {service: url.rstrip("/") for service, url in urls.items()}
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        # Made on first use, inside the running loop, as aiohttp requires.
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=300, limit_per_host=50)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def get(
        self,
        service: Service,
        path: str,
        *,
        token: str | None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        answer = await self._call(service, "GET", path, token, retry=True, params=params)
        return answer.json()

    async def raw(
        self,
        service: Service,
        path: str,
        *,
        token: str | None,
        params: dict[str, Any] | None = None,
    ) -> tuple[bytes, str]:
        answer = await self._call(service, "GET", path, token, retry=True, params=params)
        return answer.content, answer.content_type or "application/octet-stream"

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
    ) -> Any:
        answer = await self._call(
            service,
            method,
            path,
            token,
            retry=key is not None,
            body=_Body(json, content),
            params=params,
            headers=_send_headers(key, forwarded_for),
        )
        return _json_or_none(answer)

    async def _call(
        self,
        service: Service,
        method: str,
        path: str,
        token: str | None,
        *,
        retry: bool,
        headers: dict[str, str] | None = None,
        body: _Body | None = None,
        params: dict[str, Any] | None = None,
    ) -> Answer:
        correlation = current_correlation_id() or str(uuid.uuid4())
        attempt = _Attempt(
            service,
            method,
            _url(self._urls[service], path, params),
            _headers(correlation, token, headers),
            body or _Body(),
            correlation,
        )
        for number in (1, 2) if retry else (1,):
            last = number == 2 or not retry
            answer = await self._try(attempt, last=last)
            if answer is None or (answer.status_code >= 500 and not last):
                continue  # unreachable or failing, and a second try remains
            return _checked(answer, correlation)
        raise Unavailable(correlation)

    async def _try(self, attempt: _Attempt, *, last: bool) -> Answer | None:
        """One try of a call: its answer, or None when the service could not be reached and
        another try remains (after the last one, Unavailable)."""
        try:
            with backend_call(), _client_span(attempt.service, attempt.method, attempt.headers):
                return await self._request(attempt)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning(
                "backend unreachable",
                extra={"service": attempt.service, "error": type(exc).__name__},
            )
            if last:
                raise Unavailable(attempt.correlation) from None
            return None

    async def _request(self, attempt: _Attempt) -> Answer:
        body, headers = attempt.body, attempt.headers
        if body.json is not None:
            headers = {**headers, "Content-Type": "application/json"}
        async with self._open().request(
            attempt.method,
            attempt.url,
            headers=headers,
            data=body.data(),
            allow_redirects=False,
            # A raw upload goes without a Content-Type, as the services have always received it.
            skip_auto_headers=("Content-Type",) if body.content is not None else (),
        ) as response:
            content = await response.read()
            return Answer(response.status, content, response.headers.get("Content-Type", ""))


@dataclass(frozen=True)
class _Body:
    json: Any = None
    content: bytes | None = None

    def data(self) -> bytes | None:
        if self.content is not None:
            return self.content
        if self.json is None:
            return None
        return _json_bytes(self.json)


@dataclass(frozen=True)
class _Attempt:
    """What each try of one call sends, the same every time. The headers are the call's own
    dict: its span writes the current `traceparent` into it."""

    service: Service
    method: str
    url: str
    headers: dict[str, str]
    body: _Body
    correlation: str


def _headers(correlation: str, token: str | None, extra: dict[str, str] | None) -> dict[str, str]:
    sent = {"X-Correlation-Id": correlation, **(extra or {})}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    return sent


def _send_headers(key: str | None, forwarded_for: str | None) -> dict[str, str]:
    headers = {"Idempotency-Key": key} if key else {}
    if forwarded_for:  # the browser's address, for identity's per-address sign-in limits
        headers["X-Forwarded-For"] = forwarded_for
    return headers


def _json_or_none(answer: Answer) -> Any:
    if answer.status_code == 204 or not answer.content:
        return None
    return answer.json()


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _url(base: str, path: str, params: dict[str, Any] | None) -> str:
    query = str(httpx.QueryParams(params)) if params else ""
    return f"{base}{path}?{query}" if query else f"{base}{path}"


def _checked(answer: Answer, correlation: str) -> Answer:
    status = answer.status_code
    if status < 400:
        return answer
    if status == 401:
        raise SignInNeeded
    if status == 403:
        raise NotAllowed
    if status == 404:
        raise NothingHere
    if status >= 500:
        log.warning("backend error", extra={"status": status})
        raise Unavailable(correlation)
    raise _refusal(answer)


def _refusal(answer: Answer) -> Refusal:
    try:
        error = answer.json().get("error") or {}
    except ValueError:
        error = {}
    fields = {
        f.get("field", ""): (f.get("message_vi", ""), f.get("message_en", ""))
        for f in error.get("fields") or []
    }
    return Refusal(
        answer.status_code,
        error.get("message_vi") or _GENERIC[0],
        error.get("message_en") or _GENERIC[1],
        fields,
        str(error.get("code") or ""),
    )
