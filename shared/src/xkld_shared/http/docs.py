"""`/docs` served with Swagger UI's files from this package, never from a CDN.

Staff networks often reach nothing beyond the province; FastAPI's default page loads its
scripts from the internet and renders blank there. The files are copied from the pinned npm
package by the install step (`scripts/lib.sh`, `vendor_assets`) into `static/swagger/`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS = Path(__file__).parent / "static" / "swagger"
ASSETS_PATH = "/docs-assets"
_MISSING = (
    "Chưa cài tài liệu API (Swagger UI): chạy ./scripts/run hoặc ./scripts/test để cài.\n"
    "The API documentation assets are not installed: run ./scripts/run or ./scripts/test."
)


def install_offline_docs(app: FastAPI) -> None:
    """Adds `/docs` and its assets; the app must be created with `docs_url=None`."""
    if (ASSETS / "swagger-ui-bundle.js").is_file():
        app.mount(ASSETS_PATH, StaticFiles(directory=ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> Response:
        if not (ASSETS / "swagger-ui-bundle.js").is_file():
            return PlainTextResponse(_MISSING, status_code=503)
        page: HTMLResponse = get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} — API",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
        )
        return page
