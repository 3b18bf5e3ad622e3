"""The edge every request crosses first: text that PostgreSQL cannot store is refused here.

PostgreSQL's `text` and `jsonb` cannot hold the NUL character, and a lone UTF-16 surrogate
(U+D800–U+DFFF) cannot even be encoded to UTF-8; either one used to travel to the database and
come back as a 500. This middleware looks at the path, the query, the headers and JSON or form
bodies, and answers 422 naming where the character was, before any route runs.

JSON bodies are decoded a second time only when they could hold such a character at all (an
escape `\\u` or the UTF-8 bytes of a surrogate, which Python's JSON reader lets through), so
ordinary requests pay one byte scan.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xkld_shared.errors import FieldProblem, InvalidInput

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_SURROGATE_UTF8 = re.compile(rb"\xed[\xa0-\xbf]")  # how a surrogate looks once encoded
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

PROBLEM_VI = "Chứa ký tự không lưu được (ví dụ ký tự NUL)"
PROBLEM_EN = "Contains a character that cannot be stored (such as NUL)"


def unstorable(text: str) -> bool:
    return UNSTORABLE.search(text) is not None


def problem_at(where: str) -> FieldProblem:
    return FieldProblem(where, PROBLEM_VI, PROBLEM_EN)


def _in_json(value: Any, where: str) -> Iterator[str]:
    """Where, in a decoded JSON document, a key or a string holds an unstorable character."""
    if isinstance(value, str):
        if unstorable(value):
            yield where
    elif isinstance(value, dict):
        for key, item in value.items():
            if unstorable(key):
                yield where
            else:
                yield from _in_json(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _in_json(item, f"{where}.{index}")


def json_problems(body: bytes) -> list[str]:
    if b"\\u" not in body and _SURROGATE_UTF8.search(body) is None:
        return []
    try:
        document = json.loads(body)
    except ValueError:
        return []  # not JSON at all: the route's own validation says so
    return list(_in_json(document, "body"))


def _pairs_problems(pairs: list[tuple[str, str]], where: str) -> list[str]:
    return [f"{where}.{name}" for name, value in pairs if unstorable(name) or unstorable(value)]


def query_problems(query_string: bytes) -> list[str]:
    # Decoded as Starlette decodes it, so we judge the very text the route will get.
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    return _pairs_problems(pairs, "query")


def header_problems(headers: list[tuple[bytes, bytes]]) -> list[str]:
    return [f"header.{name.decode('latin-1')}" for name, value in headers if b"\x00" in value]


def request_problems(scope: Scope) -> list[str]:
    found = ["path"] if unstorable(scope.get("path", "")) else []
    found += query_problems(scope.get("query_string", b""))
    found += header_problems(scope.get("headers", []))
    return found


def _content_type(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            text: str = value.decode("latin-1")
            return text.lower()
    return ""


def body_problems(content_type: str, body: bytes) -> list[str]:
    if "json" in content_type:
        return json_problems(body)
    if "application/x-www-form-urlencoded" in content_type:
        return _pairs_problems(parse_qsl(body.decode("latin-1"), keep_blank_values=True), "body")
    return []  # files (CSV, XLSX) are read, and judged, by their own routes


def refusal(places: list[str]) -> JSONResponse:
    error = InvalidInput.of([problem_at(where) for where in dict.fromkeys(places)])
    return JSONResponse(status_code=422, content={"error": dataclasses.asdict(error.body)})


async def _read_body(receive: Receive) -> tuple[bytes, list[Message]]:
    chunks: list[bytes] = []
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break  # the client left; the route will find out
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks), messages


class InputGuard:
    """Plain ASGI (see `CorrelationMiddleware` for why), installed by `service_app`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if places := request_problems(scope):
            await refusal(places)(scope, receive, send)
            return
        content_type = _content_type(scope)
        if scope["method"] not in _BODY_METHODS or not (
            "json" in content_type or "form-urlencoded" in content_type
        ):
            await self.app(scope, receive, send)
            return
        body, messages = await _read_body(receive)
        if places := body_problems(content_type, body):
            await refusal(places)(scope, receive, send)
            return
        await self.app(scope, _replaying(body, messages, receive), send)


def _replaying(body: bytes, messages: list[Message], receive: Receive) -> Receive:
    """Hands the route the body already read, in one message, then the live channel."""
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    if messages and messages[-1]["type"] != "http.request":
        pending.append(messages[-1])  # a disconnect seen while reading

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
