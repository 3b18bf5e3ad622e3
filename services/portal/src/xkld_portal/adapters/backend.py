"""The services' APIs over HTTP: one pooled client each, timeouts, the caller's own token, and
their answers turned into what a page can show. A call is retried only when it carries an
Idempotency-Key (or only reads), since only then can a second try not do the work twice."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

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


class HttpApi:
    def __init__(
        self,
        urls: Mapping[Service, str],
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        limits = httpx.Limits(max_connections=50, max_keepalive_connections=20)
        self._clients = {
            service: httpx.AsyncClient(
                base_url=url, timeout=timeout, limits=limits, transport=transport
            )
            for service, url in urls.items()
        }

    async def close(self) -> None:
        for client in self._clients.values():
            await client.aclose()

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
        return answer.content, answer.headers.get("content-type", "application/octet-stream")

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
        headers = {"Idempotency-Key": key} if key else {}
        if forwarded_for:  # the browser's address, for identity's per-address sign-in limits
            headers["X-Forwarded-For"] = forwarded_for
        answer = await self._call(
            service,
            method,
            path,
            token,
            retry=key is not None,
            json=json,
            content=content,
            params=params,
            headers=headers,
        )
        if answer.status_code == 204 or not answer.content:
            return None
        return answer.json()

    async def _call(
        self,
        service: Service,
        method: str,
        path: str,
        token: str | None,
        *,
        retry: bool,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        correlation = current_correlation_id() or str(uuid.uuid4())
        sent = {"X-Correlation-Id": correlation, **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        for attempt in (1, 2) if retry else (1,):
            try:
                with backend_call(), _client_span(service, method, sent):
                    answer = await self._clients[service].request(
                        method, path, headers=sent, **kwargs
                    )
            except httpx.HTTPError as exc:
                log.warning(
                    "backend unreachable", extra={"service": service, "error": type(exc).__name__}
                )
                if attempt == 2 or not retry:
                    raise Unavailable(correlation) from None
                continue
            if answer.status_code >= 500 and retry and attempt == 1:
                continue
            return _checked(answer, correlation)
        raise Unavailable(correlation)


def _checked(answer: httpx.Response, correlation: str) -> httpx.Response:
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


def _refusal(answer: httpx.Response) -> Refusal:
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
