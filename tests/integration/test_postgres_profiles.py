"""The PostgreSQL cluster that deploy/infra/postgres.sh runs: durable unless told otherwise."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from xkld_shared.testing.processes import free_port

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "infra" / "postgres.sh"
SETTINGS = ("fsync", "synchronous_commit", "full_page_writes")


class Cluster:
    def __init__(self, state: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if k != "XKLD_PG_PROFILE"}
        self.env |= {"XKLD_STATE": str(state), "XKLD_PG_PORT": str(free_port())}

    def run(self, *args: str, profile: str | None = None) -> subprocess.CompletedProcess[str]:
        env = self.env | ({"XKLD_PG_PROFILE": profile} if profile else {})
        return subprocess.run(
            ["bash", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=180
        )

    def start(self, profile: str | None = None) -> None:
        started = self.run("start", profile=profile)
        assert started.returncode == 0, started.stderr

    async def settings(self) -> dict[str, str]:
        dsn = self.run("dsn").stdout.strip()
        conn = await asyncpg.connect(dsn)
        try:
            names = (*SETTINGS, "data_checksums")
            return {name: await conn.fetchval(f"SHOW {name}") for name in names}
        finally:
            await conn.close()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    cluster = Cluster(tmp_path / "state")
    try:
        yield cluster
    finally:
        cluster.run("reset")


async def test_the_default_profile_is_crash_safe_and_the_fast_one_must_be_asked_for(
    cluster: Cluster,
) -> None:
    cluster.start()
    durable = await cluster.settings()
    assert durable == dict.fromkeys((*SETTINGS, "data_checksums"), "on")

    cluster.start(profile="fast-test-only")  # already running: switched by a reload
    assert {k: v for k, v in (await cluster.settings()).items() if k in SETTINGS} == dict.fromkeys(
        SETTINGS, "off"
    )

    assert cluster.run("stop").returncode == 0
    cluster.start()  # a restart with nothing said is durable again
    assert {k: v for k, v in (await cluster.settings()).items() if k in SETTINGS} == dict.fromkeys(
        SETTINGS, "on"
    )
    assert "profile durable" in cluster.run("status").stdout


def test_an_unknown_profile_is_refused_before_anything_starts(cluster: Cluster) -> None:
    refused = cluster.run("start", profile="fast")
    assert refused.returncode != 0
    assert "XKLD_PG_PROFILE must be durable" in refused.stderr
    assert "not initialised" in cluster.run("status").stdout
