"""`python -m xkld_portal`: serve the staff portal."""

from __future__ import annotations

import uvicorn
from xkld_shared.serving import DrainingServer

from xkld_portal.bootstrap import create_app
from xkld_portal.settings import PortalSettings


def main() -> None:
    DrainingServer(_config(PortalSettings())).run()


def _config(settings: PortalSettings) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    main()
