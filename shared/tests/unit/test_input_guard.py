"""The shared edge validator and the strict request model, on a small app built by `service_app`'s
own pieces (no database needed)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel, Field
from xkld_shared.http.app import CorrelationMiddleware
from xkld_shared.http.errors import install_error_handlers
from xkld_shared.http.input_guard import InputGuard, json_problems
from xkld_shared.http.strict import IsoDate, RequestModel
from xkld_shared.testing.http import local_client


class Consents(RequestModel):
    processing: bool


class Body(RequestModel):
    name: str = ""
    born: dt.date | None = None
    amount_vnd: int | None = Field(default=None, ge=0)
    consents: Consents | None = None
    tags: list[str] = Field(default_factory=list)


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/things/{code}")
    async def post_thing(code: str, body: Body) -> dict[str, Any]:
        return {"code": code, **body.model_dump(mode="json")}

    @app.get("/things")
    async def list_things(q: str = "", on: IsoDate | None = None) -> dict[str, Any]:
        return {"q": q, "on": on}

    @app.post("/form")
    async def form(request: Request) -> dict[str, Any]:
        return dict(await request.form())

    @app.get("/storage")
    async def storage() -> None:
        raise asyncpg.DataError("value out of int64 range")

    @app.get("/arithmetic")
    async def arithmetic() -> None:
        dt.date(9999, 12, 31) + dt.timedelta(days=1)

    app.add_middleware(InputGuard)
    app.add_middleware(CorrelationMiddleware)
    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_app())
    async with local_client(transport=transport, base_url="http://test") as client:
        yield client


def _fields(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["message_vi"]
    assert error["message_en"]
    return [f["field"] for f in error["fields"]]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"name": "a\\u0000b"}', "body.name"),
        ('{"name": "\\ud800"}', "body.name"),
        ('{"tags": ["ok", "\\udfff x"]}', "body.tags.1"),
        ('{"consents": {"processing": true}, "\\u0000": 1}', "body"),
    ],
)
async def test_json_text_postgresql_cannot_store_is_refused_naming_the_field(
    client: httpx.AsyncClient, text: str, where: str
) -> None:
    answer = await client.post(
        "/things/x", content=text, headers={"content-type": "application/json"}
    )
    assert _fields(answer) == [where]


async def test_a_surrogate_sent_as_raw_utf8_bytes_is_refused(client: httpx.AsyncClient) -> None:
    body = b'{"name": "a' + "\ud800".encode("utf-8", "surrogatepass") + b'"}'
    answer = await client.post(
        "/things/x", content=body, headers={"content-type": "application/json"}
    )
    assert _fields(answer) == ["body.name"]


async def test_nul_in_a_query_parameter_is_refused(client: httpx.AsyncClient) -> None:
    assert _fields(await client.get("/things", params={"q": "a\x00"})) == ["query.q"]


async def test_nul_in_a_path_parameter_is_refused(client: httpx.AsyncClient) -> None:
    assert _fields(await client.post("/things/a%00b", json={})) == ["path"]


async def test_nul_in_a_header_is_refused(client: httpx.AsyncClient) -> None:
    answer = await client.get("/things", headers={"user-agent": "x\x00y"})
    assert _fields(answer) == ["header.user-agent"]


async def test_nul_in_a_form_body_is_refused(client: httpx.AsyncClient) -> None:
    answer = await client.post("/form", data={"name": "a\x00"})
    assert _fields(answer) == ["body.name"]


async def test_ordinary_vietnamese_text_and_escaped_backslashes_pass(
    client: httpx.AsyncClient,
) -> None:
    name = "Nguyễn Thị Hoà \\u0000 (chữ, không phải ký tự NUL)"
    answer = await client.post(
        "/things/x",
        content=json.dumps({"name": name}).encode(),
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["name"] == name
    assert (await client.get("/things", params={"q": "Tân Quới"})).json()["q"] == "Tân Quới"


def test_bodies_without_escapes_are_not_decoded_twice() -> None:
    assert json_problems(b'{"name": "Nguy\xe1\xbb\x85n"}') == []
    assert json_problems(b"not json \\u0000") == []


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"consents": {"processing": 0}}, "consents.processing"),
        ({"consents": {"processing": "yes"}}, "consents.processing"),
        ({"consents": {"processing": "true"}}, "consents.processing"),
        ({"amount_vnd": 1.5}, "amount_vnd"),
        ({"amount_vnd": 100.0}, "amount_vnd"),
        ({"amount_vnd": "100"}, "amount_vnd"),
        ({"amount_vnd": True}, "amount_vnd"),
        ({"amount_vnd": 2**64}, "amount_vnd"),
        ({"born": 0}, "born"),
        ({"born": "0"}, "born"),
        ({"born": "1700000000"}, "born"),
        ({"born": "2000-02-30"}, "born"),
        ({"born": "0001-01-01"}, "born"),
        ({"born": "9999-12-31"}, "born"),
        ({"born": "2000-01-01T00:00:00"}, "born"),
    ],
)
async def test_values_a_coercion_would_change_the_meaning_of_are_refused(
    client: httpx.AsyncClient, body: dict[str, Any], where: str
) -> None:
    assert _fields(await client.post("/things/x", json=body)) == [where]


async def test_exact_types_still_pass(client: httpx.AsyncClient) -> None:
    body = {"born": "2000-04-15", "amount_vnd": 120_000_000, "consents": {"processing": False}}
    answer = await client.post("/things/x", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["born"] == "2000-04-15"


@pytest.mark.parametrize("on", ["0", "9999-12-31", "0000-01-01", "2024-13-01", "1700000000"])
async def test_a_query_date_must_be_an_iso_date_in_range(
    client: httpx.AsyncClient, on: str
) -> None:
    assert _fields(await client.get("/things", params={"on": on})) == ["on"]


@pytest.mark.parametrize("path", ["/storage", "/arithmetic"])
async def test_a_value_out_of_range_that_slips_past_the_edge_is_a_422_not_a_500(
    client: httpx.AsyncClient, path: str
) -> None:
    answer = await client.get(path)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "invalid_input"


def test_a_plain_model_is_unaffected() -> None:
    class Loose(BaseModel):
        flag: bool

    assert Loose.model_validate({"flag": 1}).flag is True
