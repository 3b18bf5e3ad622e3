"""Every service's /docs works on a network without internet: Swagger UI is served locally."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from xkld_shared.http.app import service_app
from xkld_shared.runtime import ServiceRuntime
from xkld_shared.settings import ServiceSettings


async def _nothing(_: ServiceRuntime, __: FastAPI) -> None:
    return None


def test_the_docs_page_loads_swagger_ui_from_the_service_itself() -> None:
    settings = ServiceSettings(database_url="postgresql://unused/unused")
    app = service_app(ServiceRuntime("demo", settings), _nothing)
    http = TestClient(app)  # no lifespan: /docs needs no database
    page = http.get("/docs")
    assert page.status_code == 200
    scripts = [line for line in page.text.splitlines() if "<script src=" in line]
    assert scripts
    assert all("/docs-assets/" in line and "http" not in line for line in scripts)
    assert http.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert http.get("/docs-assets/swagger-ui.css").status_code == 200
