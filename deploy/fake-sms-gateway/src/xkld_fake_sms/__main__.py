"""``python -m xkld_fake_sms``: run the fake gateway under uvicorn."""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Mapping, Sequence

import uvicorn

from .app import create_app
from .settings import DEFAULT_HOST, DEFAULT_PORT, Settings


def parse_args(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> argparse.Namespace:
    env = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(
        prog="python -m xkld_fake_sms", description="Fake eSMS-shaped SMS gateway"
    )
    parser.add_argument("--host", default=env.get("FAKE_SMS_HOST", DEFAULT_HOST))
    parser.add_argument("--port", type=int, default=int(env.get("FAKE_SMS_PORT", DEFAULT_PORT)))
    parser.add_argument("--log-level", default=env.get("FAKE_SMS_LOG_LEVEL", "info"))
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    uvicorn.run(
        create_app(Settings.from_env()),
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        # The access log prints query strings, and /_admin/messages?phone=...
        # would put phone numbers in the log.
        access_log=False,
    )


if __name__ == "__main__":
    main()
