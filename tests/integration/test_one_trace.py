"""One trace from registration's HTTP request, through its outbox and relay, Kafka and
notifications' consumer, to the SMS sent to the fake gateway.

An in-memory exporter sees only its own process, so both services run here, in-process, in one
event loop: each app is built by its own `create_app` from its own environment and runs its
real lifespan (pool, relay, consumers, dispatcher), exactly as in its own process. Requests go
through the app's ASGI stack; the SMS goes over real HTTP to the gateway.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.kafka import eventually
from xkld_shared.testing.system import (
    MODULES,
    gateway_messages,
    officer_of,
    random_mobile,
    registration_body,
)
from xkld_shared.testing.tracing import recorded_spans


def _build(ns: Namespace, service: str, **extra: str) -> FastAPI:
    with pytest.MonkeyPatch.context() as patch:
        for key, value in ns.env(service, **extra).items():
            patch.setenv(key, value)
        app: FastAPI = importlib.import_module(f"{MODULES[service]}.bootstrap").create_app()
        return app


@asynccontextmanager
async def _in_process(ns: Namespace, gateway: str) -> AsyncIterator[FastAPI]:
    """Registration and notifications running; yields registration's app."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level  # create_app configures the root logger
    registration = _build(ns, "registration")
    notifications = _build(
        ns,
        "notifications",
        XKLD_SMS_BASE_URL=gateway,
        XKLD_SMS_CALLBACK_URL="http://127.0.0.1:9/sms/delivery-reports",
    )
    try:
        async with AsyncExitStack() as stack:
            for app in (registration, notifications):
                await stack.enter_async_context(app.router.lifespan_context(app))
            yield registration
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def _child_of(spans: list[ReadableSpan], parent: ReadableSpan, kind: SpanKind) -> ReadableSpan:
    children = [
        s
        for s in spans
        if s.kind is kind and s.parent is not None and s.parent.span_id == parent.context.span_id
    ]
    assert children, f"no {kind.name} span under {parent.name!r}"
    return children[0]


async def test_one_trace_spans_the_request_the_publish_and_the_sms_send(
    namespace: Namespace, sms_gateway: str
) -> None:
    phone = random_mobile()
    with recorded_spans() as exporter:
        async with _in_process(namespace, sms_gateway) as registration:
            transport = httpx.ASGITransport(app=registration)
            async with local_client(transport=transport, base_url="http://r") as client:
                created = await client.post(
                    "/registrations",
                    json=registration_body(phone=phone),
                    headers=officer_of(namespace, "29800"),
                )
            assert created.status_code == 201, created.text

            async def sent() -> bool:
                return bool(await gateway_messages(sms_gateway, phone))

            assert await eventually(sent, timeout=30)

            def provider_called() -> list[ReadableSpan]:
                spans = exporter.get_finished_spans()
                return [s for s in spans if s.kind is SpanKind.CLIENT and s.name == "esms send"]

            async def recorded() -> bool:
                return bool(provider_called())

            assert await eventually(recorded, timeout=10)
        spans = list(exporter.get_finished_spans())

    (request,) = [s for s in spans if s.name == "POST /registrations"]
    assert request.kind is SpanKind.SERVER
    publish = _child_of(spans, request, SpanKind.PRODUCER)
    consume = _child_of(spans, publish, SpanKind.CONSUMER)
    dispatch = _child_of(spans, consume, SpanKind.INTERNAL)
    send = _child_of(spans, dispatch, SpanKind.CLIENT)
    assert dispatch.name == "sms dispatch"
    assert send.name == "esms send"
    assert consume.name.endswith(".registration process")
    assert {s.context.trace_id for s in (request, publish, consume, dispatch, send)} == {
        request.context.trace_id
    }
