"""The fault suite's own PostgreSQL and Kafka, started with deploy/infra/*.sh in a state
directory and on ports of its own: it restarts PostgreSQL with `pg_ctl -m immediate` and
resets consumer groups to offset 0, which it must never do to the infrastructure other tests
share (consumer group names are not prefixed per test namespace)."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from xkld_shared.testing.infra import TestInfra
from xkld_shared.testing.processes import free_port

REPO = Path(__file__).resolve().parents[2]
PG_SH = REPO / "deploy/infra/postgres.sh"
KAFKA_SH = REPO / "deploy/infra/kafka.sh"
PASSWORD = "xkld-chaos"


@dataclass
class OwnInfra:
    state: Path
    pg_port: int
    kafka_port: int
    controller_port: int

    @classmethod
    def from_env(cls) -> OwnInfra:
        state = os.environ.get("XKLD_CHAOS_STATE") or tempfile.mkdtemp(prefix="xkld-chaos-")
        return cls(
            Path(state),
            int(os.environ.get("XKLD_CHAOS_PG_PORT") or free_port()),
            int(os.environ.get("XKLD_CHAOS_KAFKA_PORT") or free_port()),
            int(os.environ.get("XKLD_CHAOS_KAFKA_CONTROLLER_PORT") or free_port()),
        )

    @property
    def env(self) -> dict[str, str]:
        return os.environ | {
            "XKLD_STATE": str(self.state),
            "XKLD_PG_PORT": str(self.pg_port),
            "XKLD_PG_ADMIN_PASSWORD": PASSWORD,
            "XKLD_KAFKA_PORT": str(self.kafka_port),
            "XKLD_KAFKA_CONTROLLER_PORT": str(self.controller_port),
        }

    @property
    def test_infra(self) -> TestInfra:
        return TestInfra(
            admin_dsn=f"postgresql://postgres:{PASSWORD}@127.0.0.1:{self.pg_port}/postgres",
            kafka_bootstrap=f"127.0.0.1:{self.kafka_port}",
        )

    async def _run(self, *args: str, timeout: float = 300) -> str:
        proc = await asyncio.create_subprocess_exec(
            "bash",
            *args,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        out, _ = await asyncio.wait_for(proc.communicate(), timeout)
        text = out.decode(errors="replace")
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}):\n{text}")
        return text

    async def start(self) -> None:
        await asyncio.gather(
            self._run(str(PG_SH), "start"),
            self._run(str(KAFKA_SH), "start", "single"),
        )
        await self._run(str(PG_SH), "wait", "120")
        await self._durable()
        await self._run(str(KAFKA_SH), "wait", "single", "240")

    async def _durable(self) -> None:
        """The crash must meet a PostgreSQL configured as production is: with the test
        profile's `synchronous_commit = off`, a commit is answered before its WAL is written,
        and `pg_ctl -m immediate` 22 ms after an HTTP 200 lost that step (seen in this suite).
        Set in postgresql.auto.conf, so postgres.sh itself is left as it is."""
        conn = await asyncpg.connect(self.test_infra.admin_dsn)
        try:
            for setting in ("fsync", "synchronous_commit", "full_page_writes"):
                await conn.execute(f"ALTER SYSTEM SET {setting} = on")
            await conn.execute("SELECT pg_reload_conf()")
        finally:
            await conn.close()

    async def stop(self) -> None:
        for args in ((str(KAFKA_SH), "stop", "single"), (str(PG_SH), "stop")):
            try:
                await self._run(*args)
            except (RuntimeError, TimeoutError) as exc:
                print(f"chaos: stopping infra: {exc}")

    async def crash_postgres(self) -> None:
        """`pg_ctl -m immediate`: no checkpoint, every backend killed; recovery from the WAL at
        the next start. Then started again with the same script."""
        status = await self._run(str(PG_SH), "status")
        data = re.search(r"data (\S+)", status)
        binaries = re.search(r"from (\S+/bin)", status)
        if data is None or binaries is None:
            raise RuntimeError(f"cannot read postgres.sh status: {status}")
        pg_ctl = [f"{binaries.group(1)}/pg_ctl", "stop", "-D", data.group(1), "-m", "immediate"]
        owner = await asyncio.to_thread(Path(data.group(1)).owner)
        if os.getuid() == 0 and owner != "root":
            pg_ctl = ["runuser", "-u", owner, "--", *pg_ctl]
        proc = await asyncio.create_subprocess_exec(*pg_ctl, cwd="/")
        await proc.wait()
        await self._run(str(PG_SH), "start")
        await self._run(str(PG_SH), "wait", "120")
