"""The command line: `python -m xkld_shared.demo --help`.

The admin's password comes from XKLD_DEMO_ADMIN_PASSWORD (or the accounts file's `admin` line);
the passwords of the staff created are appended to the accounts file (mode 0600).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from contextlib import AsyncExitStack
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx

import xkld_shared.demo
from xkld_shared.clock import vietnam_today
from xkld_shared.demo import data, load, survey
from xkld_shared.demo.client import DemoError, Desk, again_if_cut, client_for, expect, say


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m xkld_shared.demo",
        description=f"{xkld_shared.demo.__doc__}\n{__doc__}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--identity", required=True, help="identity component's URL")
    parser.add_argument("--registration", required=True, help="registration service's URL")
    parser.add_argument("--loans", help="loans service's URL (without it: no bank decisions)")
    parser.add_argument("--reporting", help="reporting service's URL (without it: no targets)")
    parser.add_argument("--outreach", help="outreach service's URL (without it: no survey)")
    parser.add_argument("--admin", default="admin", help="the admin account that creates staff")
    parser.add_argument("--accounts-file", required=True, help="'username password' lines")
    return parser.parse_args(argv)


def saved_passwords(accounts_file: str) -> dict[str, str]:
    path = Path(accounts_file)
    if not path.exists():
        return {}
    pairs = (line.split(maxsplit=1) for line in path.read_text().splitlines())
    return {p[0]: p[1].strip() for p in pairs if len(p) == 2}


def keep_passwords(accounts_file: str, created: dict[str, str]) -> None:
    if not created:
        return
    fd = os.open(accounts_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a") as handle:
        handle.writelines(f"{user} {password}\n" for user, password in created.items())


async def admin_headers(
    identity: httpx.AsyncClient, username: str, password: str
) -> dict[str, str]:
    body = {"username": username, "password": password}
    answer = expect(await identity.post("/auth/login", json=body), f"sign-in {username}", 200)
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.monotonic()
    saved = saved_passwords(args.accounts_file)
    admin_password = os.environ.get("XKLD_DEMO_ADMIN_PASSWORD") or saved.get(args.admin)
    if not admin_password:
        raise DemoError("set XKLD_DEMO_ADMIN_PASSWORD (or put the admin in the accounts file)")
    async with AsyncExitStack() as stack:
        urls = (args.identity, args.registration, args.loans, args.reporting, args.outreach)
        made = [client_for(url) for url in urls]
        for client in made:
            if client is not None:
                await stack.enter_async_context(client)
        identity, registration, loans, reporting, outreach = made
        if identity is None or registration is None:
            raise DemoError("--identity and --registration are required")
        desk = Desk(identity, registration, loans, reporting, passwords={}, outreach=outreach)
        admin = await admin_headers(identity, args.admin, admin_password)
        created = await load.create_staff(desk, admin)
        keep_passwords(args.accounts_file, created)
        desk.passwords = saved | created
        tally, summary = await load_everything(desk)
        tally.staff_created = sorted(created)
    seconds = round(time.monotonic() - started, 1)
    return {"created_now": asdict(tally)} | summary | {"seconds": seconds}


async def load_everything(desk: Desk) -> tuple[load.Tally, dict[str, Any]]:
    tally, today = load.Tally(), vietnam_today()
    say("enterprises, courses and this year's targets")
    refs = await again_if_cut(lambda: load.reference_data(desk, today, tally), "reference data")
    await again_if_cut(lambda: load.set_targets(desk, today.year, tally), "targets")
    if desk.outreach is not None:
        say("the labour-demand survey in both communes")
        tally.survey_households_recorded = await survey.load_survey(desk, today.year)
    workers = data.workers()
    say(f"registering {len(workers)} workers")
    limit = asyncio.Semaphore(load.CONCURRENCY)

    async def register(worker: data.Worker) -> tuple[int, str]:
        async with limit:
            what = f"registration of worker {worker.number}"
            rid = await again_if_cut(lambda: load.register(desk, worker, tally), what)
            return worker.number, rid

    ids = dict(await asyncio.gather(*map(register, workers)))
    say("walking each worker to their stage (loans wait for the bank, over Kafka)")
    await load.walk_all(desk, ids, refs, tally)
    await load.repayments(desk, ids, refs, tally)
    say("reading back what is there")
    return tally, await load.snapshot(desk, ids) | await survey.snapshot(desk)


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv)
    try:
        result = asyncio.run(run(args))
    except DemoError as error:
        raise SystemExit(f"demo: {error}") from None
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
