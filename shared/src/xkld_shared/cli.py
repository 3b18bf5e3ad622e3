"""The command line every service shares: `serve` (default) or `migrate`."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator
from typing import TypeVar

import uvicorn
from fastapi import FastAPI

from xkld_shared.db.migrations import upgrade_to_head
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
        upgrade_to_head(migrations, url)
        return
    settings = settings_type()
    config = uvicorn.Config(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,  # our JSON logging, configured by create_app
        timeout_graceful_shutdown=int(settings.graceful_timeout_seconds),
    )
    _DrainingServer(config).run()


class _DrainingServer(uvicorn.Server):
    """Exits 0 once SIGTERM/SIGINT has drained the service.

    uvicorn re-raises the signal after its graceful shutdown, so a completed drain would look
    exactly like a kill to supervisors and tests; a drain that did not complete still fails.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            try:
                yield
            finally:
                self._captured_signals.clear()
