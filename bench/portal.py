"""Benchmark: the staff portal's main pages under concurrent signed-in officers.

    uv run python -m bench.portal [--files 200] [--clients 8] [--seconds 30]

Starts the whole system as processes in a throw-away namespace (identity, registration, loans,
notifications, reporting and the portal, as the browser tests do: `start_stack`), creates
`--files` workers' files through registration's API, then `--clients` httpx clients, each
signed in through /login with its CSRF cookie like a browser, request the main pages in turn
for `--seconds`: home, files list, a file page, the new-file form and a search (POST); and,
signed in as a bank manager who also proposes, the bank's pages (application queue, a disbursed
loan's page, the day sheet, the proposals to confirm, the portfolio); and, signed in as the
labour officer, targets, progress for the province and a commune, the loans report, regimes;
and the SMS pages (templates, a template's editor with its counter, the manual-message form)
as the commune officer.

Per page it prints p50/p95 of the portal's own answer time and, beside it, the time the same
requests spent waiting for the services (both from the `Server-Timing: app;dur=…,
backend;dur=…` header the portal sends), and the page's weight: the HTML plus the CSS and JS
it references, uncompressed (the portal uses system fonts; fonts would be left out anyway).
It reads the portal process's resident memory (VmRSS) before, during and after the load.
Asserts nothing except that every request answered 200.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from xkld_fake_sms.app import create_app as create_sms_gateway
from xkld_fake_sms.settings import Settings as SmsGatewaySettings
from xkld_fake_sms.testing import serve_in_background
from xkld_shared.identity.principal import Role
from xkld_shared.testing.system import registration_body

from bench._common import load, namespace, print_table
from services.portal.tests.browser.stack import HOME_COMMUNES, PASSWORD, Stack, start_stack

AIMS = "aims: p95 ≤ 150 ms, ≤ 150 KB per page, RSS ≤ 200 MB"
NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Huỳnh Văn Em")
HAMLETS = ("Ấp Tân Thuận", "Ấp Phú Hòa", "Ấp Long Thạnh")
TIMING = re.compile(r"(\w+);dur=([0-9.]+)")
ASSETS = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"')


PAGES = {
    "home": "/",
    "files list": "/files",
    "file page": "/files/{id}",
    "new-file form": "/files/new",
    "search (POST)": "/files/search",
    "loan queue": "/loans",
    "loan page": "/loans/{loan}",
    "day sheet": "/loans/day-sheet",
    "proposals to confirm": "/loans/proposals",
    "loan portfolio": "/loans/portfolio",
    "targets": "/targets",
    "progress": "/progress",
    "progress, a commune": "/progress?area=29800",
    "loans report": "/reports/loans",
    "regimes": "/regimes",
    "sms templates": "/sms/templates",
    "sms template editor": "/sms/templates/manual",
    "manual sms form": "/sms/messages/new",
    "trainees list": "/trainees",
    "outcomes due": "/trainees/due",
    "course plan": "/course-plan",
    "rural trainees report": "/reports/rural-training/trainees",
    "trainees' sms replies": "/sms/trainee-replies",
}
# Who visits a page, when not the commune officer: a bank manager who also proposes sees every
# bank screen. A client is one signed-in session per such person.
BANK_PAGES = ("loan queue", "loan page", "day sheet", "proposals to confirm", "loan portfolio")
LABOUR_PAGES = ("targets", "progress", "progress, a commune", "loans report", "regimes")
VISITOR_OF = dict.fromkeys(BANK_PAGES, "giamdoc.kiem") | dict.fromkeys(LABOUR_PAGES, "laodong")
VISITOR_OF |= dict.fromkeys(("course plan", "rural trainees report"), "laodong")
LOANS: list[str] = []  # the disbursed loan the loan page shows, made once before the load


@dataclass
class Sample:
    app_ms: list[float] = field(default_factory=list)
    backend_ms: list[float] = field(default_factory=list)
    wall_ms: list[float] = field(default_factory=list)


def rss_kb(pid: int) -> int:
    """The process's resident memory now, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


async def create_files(stack: Stack, n: int, concurrency: int = 8) -> list[str]:
    """`n` files in the officer's communes, straight through registration's API."""
    officer = stack.ns.auth(Role.COMMUNE_OFFICER, communes=HOME_COMMUNES, username="canbo")
    rng = random.Random(2026)
    made: list[str] = []
    async with httpx.AsyncClient(base_url=stack.service("registration"), timeout=120) as client:

        async def one(i: int) -> None:
            body = registration_body(
                full_name=NAMES[i % len(NAMES)],
                hamlet=rng.choice(HAMLETS),
                commune_code=HOME_COMMUNES[i % len(HOME_COMMUNES)],
                desired_market="JP_TITP",
            )
            answer = await client.post("/registrations", headers=officer, json=body)
            if answer.status_code != 201:
                raise RuntimeError(f"file {i} refused: {answer.text[:300]}")
            made.append(str(answer.json()["registration_id"]))

        await in_parallel(n, concurrency, one)
    return made


async def in_parallel(jobs: int, concurrency: int, job: Callable[[int], Awaitable[None]]) -> None:
    queue = iter(range(jobs))

    async def worker() -> None:
        for i in queue:
            await job(i)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def signed_in(url: str, username: str = "canbo") -> httpx.AsyncClient:
    """A client holding the portal's cookies, signed in through the form like a browser."""
    client = httpx.AsyncClient(base_url=url, timeout=60, headers={"Accept-Encoding": "identity"})
    (await client.get("/login")).raise_for_status()
    form = {
        "username": username,
        "password": PASSWORD,
        "next": "/",
        "csrf_token": client.cookies["xkld_csrf"],
    }
    answer = await client.post("/login", data=form)
    if answer.status_code != 303:
        raise RuntimeError(f"sign-in answered {answer.status_code}: {answer.text[:300]}")
    return client


async def sessions(url: str) -> dict[str, httpx.AsyncClient]:
    """One signed-in client per person the pages are visited as."""
    return {name: await signed_in(url, name) for name in {"canbo", *VISITOR_OF.values()}}


async def disbursed_loan(stack: Stack) -> str:
    """A loan application proposed, confirmed and paid out through the loans API."""
    officer = stack.ns.auth(Role.LOAN_OFFICER, branch="VBSP-86", username="bench-officer")
    manager = stack.ns.auth(Role.BANK_MANAGER, branch="VBSP-86", username="bench-manager")
    ask = {
        "registration_id": str(uuid.uuid4()),
        "commune_code": HOME_COMMUNES[0],
        "programme": "labour_export",
        "application_date": time.strftime("%Y-%m-%d"),
        "priority_groups": ["poor_household"],
        "contract_costs_vnd": 100_000_000,
        "requested_vnd": 80_000_000,
        "requested_term_months": 24,
        "contract_term_months": 24,
    }
    async with httpx.AsyncClient(base_url=stack.service("loans"), timeout=60) as client:
        made = await client.post("/loan-applications", json=ask, headers=officer)
        loan = str(made.raise_for_status().json()["application_id"])
        steps = (
            (
                "proposal",
                officer,
                {"decision": "approve", "amount_vnd": 80_000_000, "term_months": 24},
            ),
            ("decision", manager, {"agree": True}),
            (
                "disbursement",
                officer | {"Idempotency-Key": f"bench-{loan}"},
                {
                    "amount_vnd": 80_000_000,
                    "disbursed_on": time.strftime("%Y-%m-%d"),
                    "channel": "commune_transaction_point",
                },
            ),
        )
        for step, headers, body in steps:
            answer = await client.post(
                f"/loan-applications/{loan}/{step}", json=body, headers=headers
            )
            answer.raise_for_status()
    return loan


def request_of(page: str, files: list[str], rng: random.Random) -> tuple[str, str, dict[str, str]]:
    """(method, path, form) of one visit to `page`."""
    if page == "file page":
        return "GET", f"/files/{rng.choice(files)}", {}
    if page == "search (POST)":
        return "POST", "/files/search", {"name": rng.choice(NAMES).split()[-1]}
    if page == "loan page":
        return "GET", f"/loans/{LOANS[0]}", {}
    return "GET", PAGES[page], {}


async def visit(
    clients: dict[str, httpx.AsyncClient], page: str, files: list[str], rng: random.Random
) -> httpx.Response:
    client = clients[VISITOR_OF.get(page, "canbo")]
    method, path, form = request_of(page, files, rng)
    if method == "POST":
        form["csrf_token"] = client.cookies["xkld_csrf"]
        answer = await client.post(path, data=form)
    else:
        answer = await client.get(path)
    if answer.status_code != 200:
        raise RuntimeError(f"{method} {path} answered {answer.status_code}: {answer.text[:300]}")
    return answer


def server_timing(answer: httpx.Response) -> dict[str, float]:
    return {k: float(v) for k, v in TIMING.findall(answer.headers.get("server-timing", ""))}


async def drive(
    clients: list[dict[str, httpx.AsyncClient]], files: list[str], seconds: float
) -> dict[str, Sample]:
    """Every client visits the pages in turn until the time is up."""
    samples: dict[str, Sample] = defaultdict(Sample)
    stop = time.perf_counter() + seconds

    async def one(client: dict[str, httpx.AsyncClient], seed: int) -> None:
        rng = random.Random(seed)
        pages = list(PAGES)
        turn = seed
        while time.perf_counter() < stop:
            page = pages[turn % len(pages)]
            turn += 1
            started = time.perf_counter()
            answer = await visit(client, page, files, rng)
            timing = server_timing(answer)
            sample = samples[page]
            sample.wall_ms.append((time.perf_counter() - started) * 1000)
            sample.app_ms.append(timing["app"])
            sample.backend_ms.append(timing["backend"])

    await asyncio.gather(*(one(c, i) for i, c in enumerate(clients)))
    return samples


async def watch_rss(pid: int, every: float, seen: list[int], done: asyncio.Event) -> None:
    while not done.is_set():
        seen.append(rss_kb(pid))
        await asyncio.sleep(every)


async def weights(
    clients: dict[str, httpx.AsyncClient], files: list[str]
) -> dict[str, tuple[int, int]]:
    """Per page: (HTML bytes, HTML + referenced CSS and JS bytes), uncompressed."""
    found = {}
    rng = random.Random(1)
    for page in PAGES:
        html = (await visit(clients, page, files, rng)).content
        total = len(html)
        for src in dict.fromkeys(ASSETS.findall(html.decode())):
            asset = await clients["canbo"].get(src)
            asset.raise_for_status()
            total += len(asset.content)
        found[page] = (len(html), total)
    return found


def pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(
    samples: dict[str, Sample], sizes: dict[str, tuple[int, int]], seconds: float, clients: int
) -> None:
    rows = []
    for page in PAGES:
        s = samples[page]
        html, total = sizes[page]
        rows.append(
            (
                page,
                f"{len(s.app_ms):,}",
                f"{pct(s.app_ms, 50):.1f}",
                f"{pct(s.app_ms, 95):.1f}",
                f"{pct(s.backend_ms, 50):.1f}",
                f"{pct(s.backend_ms, 95):.1f}",
                f"{pct(s.wall_ms, 95):.1f}",
                f"{html / 1024:.1f}",
                f"{total / 1024:.1f}",
            )
        )
    answered = sum(len(s.app_ms) for s in samples.values())
    print_table(
        f"portal: {clients} signed-in clients for {seconds:.0f} s, {answered:,} pages "
        f"({answered / seconds:,.1f}/s); ms from Server-Timing (app = the portal's whole "
        "answer, backend = the part spent waiting for the services); KB uncompressed",
        [
            "page",
            "requests",
            "app p50",
            "app p95",
            "backend p50",
            "backend p95",
            "client p95",
            "HTML KB",
            "HTML+CSS+JS KB",
        ],
        rows,
    )


def print_rss(before: int, during: list[int], after: int) -> None:
    peak = max(during) if during else before
    mean = statistics.fmean(during) if during else before
    print(
        f"\nportal RSS: {before / 1024:.1f} MB before the load, {mean / 1024:.1f} MB mean and "
        f"{peak / 1024:.1f} MB peak during it ({len(during)} samples), "
        f"{after / 1024:.1f} MB after it"
    )


async def measure(stack: Stack, args: argparse.Namespace) -> None:
    started = time.perf_counter()
    files = await create_files(stack, args.files)
    print(f"{len(files)} files created in {time.perf_counter() - started:.1f} s; {load()}")
    LOANS.append(await disbursed_loan(stack))
    clients = [await sessions(stack.url) for _ in range(args.clients)]
    try:
        sizes = await weights(clients[0], files)
        await drive(clients, files, args.warmup)
        pid = stack.portal.pid
        before = rss_kb(pid)
        seen: list[int] = []
        done = asyncio.Event()
        watcher = asyncio.create_task(watch_rss(pid, 0.5, seen, done))
        print(f"load: {args.clients} clients for {args.seconds:.0f} s; {load()}")
        samples = await asyncio.wait_for(drive(clients, files, args.seconds), args.timeout)
        done.set()
        await watcher
        print(f"load done; {load()}")
        await asyncio.sleep(2)
        report(samples, sizes, args.seconds, args.clients)
        print_rss(before, seen, rss_kb(pid))
        print(AIMS)
    finally:
        for session in clients:
            for client in session.values():
                await client.aclose()


async def bench(args: argparse.Namespace) -> None:
    async with (
        namespace() as ns,
        serve_in_background(create_sms_gateway(SmsGatewaySettings())) as gateway,
    ):
        started = time.perf_counter()
        # Every client signs in as the same officer: the sign-in brake must let them.
        stack = await start_stack(
            ns, gateway, XKLD_LOG_LEVEL="WARNING", XKLD_PORTAL_LOGIN_ATTEMPTS="10000"
        )
        print(f"stack started in {time.perf_counter() - started:.1f} s; {load()}")
        try:
            await measure(stack, args)
        except BaseException:
            print(f"portal log (tail):\n{stack.portal.logs()[-3000:]}")
            raise
        finally:
            await stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--files", type=int, default=200, help="workers' files to create")
    parser.add_argument("--clients", type=int, default=8, help="concurrent signed-in clients")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the measured load")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load not measured")
    parser.add_argument("--timeout", type=float, default=600.0, help="for the measured run")
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
