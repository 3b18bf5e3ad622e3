"""The command line every service shares: `serve` (default) or `migrate`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

import uvicorn
from fastapi import FastAPI

from xkld_shared.serving import DrainingServer, Listen, serve_workers
from xkld_shared.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)


def service_main(
    create_app: Callable[[S], FastAPI], settings_type: type[S], migrations: str
) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate"])
    args = parser.parse_args()
    if args.command == "migrate":
        # Only the database: a migration job must not need the PII keys or SMS credentials.
        url = ServiceSettings().database_url.get_secret_value()
        # Alembic and SQLAlchemy are two fifths of start-up: only `migrate` loads them.
        from xkld_shared.db.migrations import upgrade_to_head

        upgrade_to_head(migrations, url)
        return
    settings = settings_type()
    if settings.http_workers > 1:
        listen = Listen(
            settings.http_host, settings.http_port, int(settings.graceful_timeout_seconds)
        )
        factory = f"{create_app.__module__}:{create_app.__name__}"
        serve_workers(factory, listen, settings.http_workers)
        return
    config = uvicorn.Config(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,  # our JSON logging, configured by create_app
        timeout_graceful_shutdown=int(settings.graceful_timeout_seconds),
    )
    DrainingServer(config).run()
