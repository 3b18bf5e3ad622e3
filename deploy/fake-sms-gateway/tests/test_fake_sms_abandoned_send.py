"""A sender that dies halfway through its request leaves a log line, not a traceback."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from xkld_fake_sms import SEND_PATH
from xkld_fake_sms.other_routes import SPEEDSMS_PATH, WEBHOOK_PATH
from xkld_fake_sms.zns_routes import ZNS_PATH

_BODIES = "xkld_fake_sms.bodies"


class _Records(logging.Handler):
    """Keeps every record; `seen` is set once a record contains `awaited` (the server runs in
    the test's own event loop, so the event is set from that loop)."""

    def __init__(self, awaited: str = "") -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.awaited = awaited
        self.seen = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        if self.awaited and self.awaited in record.getMessage():
            self.seen.set()


async def _send_half_a_request_and_vanish(gateway_url: str, path: str) -> None:
    address = urlsplit(gateway_url)
    _, writer = await asyncio.open_connection(address.hostname, address.port)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {address.netloc}\r\n"
        "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    )
    writer.write(head.encode() + b'{"ApiKey": "k-te')
    await writer.drain()
    await asyncio.sleep(0.2)  # the handler is now waiting for the rest of the body
    writer.close()
    await writer.wait_closed()


@pytest.mark.parametrize("path", [SEND_PATH, ZNS_PATH, SPEEDSMS_PATH, WEBHOOK_PATH])
async def test_a_sender_that_vanishes_mid_request_is_logged_without_a_traceback(
    gateway_url: str, messages: Callable[..., Awaitable[list[dict[str, Any]]]], path: str
) -> None:
    routes, server = _Records(f"send abandoned on {path}"), _Records()
    logging.getLogger(_BODIES).addHandler(routes)
    logging.getLogger(_BODIES).setLevel(logging.INFO)
    logging.getLogger("uvicorn.error").addHandler(server)
    try:
        await _send_half_a_request_and_vanish(gateway_url, path)
        await asyncio.wait_for(routes.seen.wait(), timeout=15.0)
    finally:
        logging.getLogger(_BODIES).removeHandler(routes)
        logging.getLogger("uvicorn.error").removeHandler(server)
    assert [r.getMessage() for r in server.records if r.levelno >= logging.ERROR] == []
    assert await messages() == []
