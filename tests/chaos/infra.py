"""The fault suite's own PostgreSQL and Kafka, started with deploy/infra/*.sh in a state
directory and on ports of its own: it restarts PostgreSQL with `pg_ctl -m immediate`, kills a
Kafka broker and resets consumer groups to offset 0, which it must never do to the
infrastructure other tests share (consumer group names are not prefixed per test namespace).
Kafka is the three-broker cluster (replication factor 3, min ISR 2), as `./scripts/run
--cluster` runs it; `XKLD_CHAOS_KAFKA=single` runs one broker, without the leader kill."""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient
from xkld_shared.testing.infra import TestInfra

REPO = Path(__file__).resolve().parents[2]
PG_SH = REPO / "deploy/infra/postgres.sh"
KAFKA_SH = REPO / "deploy/infra/kafka.sh"
PASSWORD = "xkld-chaos"


# Below Linux's ephemeral range (32768-60999): a port there can be taken by any client
# connection of a busy test run in the seconds a JVM needs to bind it, and CI lost the scale-out
# test's cluster that way. Ports picked here are only ever taken by an explicit bind.
_QUIET_PORTS = range(20000, 32000)
# One block per infrastructure: PostgreSQL at +0, Kafka's base at +1 (brokers +2..+4) and the
# controllers' base at +5 (+6..+8), so the three can never overlap one another.
_BLOCK = 9


def free_port_block() -> int:
    """A base port whose whole block is free now, outside the ephemeral range."""
    for _ in range(200):
        base = random.randrange(_QUIET_PORTS.start, _QUIET_PORTS.stop - _BLOCK)
        if all(_is_free(base + i) for i in range(_BLOCK)):
            return base
    raise RuntimeError(f"no block of {_BLOCK} free ports found in {_QUIET_PORTS}")


def _is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class OwnInfra:
    state: Path
    pg_port: int
    kafka_port: int  # single mode's broker, or the cluster's base (brokers at +1..+3)
    controller_port: int  # likewise for the controllers
    kafka_mode: str = "cluster"

    @classmethod
    def from_env(cls) -> OwnInfra:
        state = os.environ.get("XKLD_CHAOS_STATE") or tempfile.mkdtemp(prefix="xkld-chaos-")
        mode = os.environ.get("XKLD_CHAOS_KAFKA") or "cluster"
        if mode not in ("single", "cluster"):
            raise ValueError("XKLD_CHAOS_KAFKA is single or cluster")
        base = free_port_block()
        return cls(
            Path(state),
            int(os.environ.get("XKLD_CHAOS_PG_PORT") or base),
            int(os.environ.get("XKLD_CHAOS_KAFKA_PORT") or base + 1),
            int(os.environ.get("XKLD_CHAOS_KAFKA_CONTROLLER_PORT") or base + 5),
            mode,
        )

    @property
    def brokers(self) -> list[int]:
        if self.kafka_mode == "single":
            return [self.kafka_port]
        return [self.kafka_port + i for i in (1, 2, 3)]

    @property
    def env(self) -> dict[str, str]:
        return os.environ | {
            "XKLD_STATE": str(self.state),
            "XKLD_PG_PORT": str(self.pg_port),
            "XKLD_PG_ADMIN_PASSWORD": PASSWORD,
            "XKLD_KAFKA_PORT": str(self.kafka_port),
            "XKLD_KAFKA_CONTROLLER_PORT": str(self.controller_port),
            "XKLD_KAFKA_CLUSTER_PORT_BASE": str(self.kafka_port),
            "XKLD_KAFKA_CLUSTER_CONTROLLER_PORT_BASE": str(self.controller_port),
        }

    @property
    def test_infra(self) -> TestInfra:
        return TestInfra(
            admin_dsn=f"postgresql://postgres:{PASSWORD}@127.0.0.1:{self.pg_port}/postgres",
            kafka_bootstrap=",".join(f"127.0.0.1:{port}" for port in self.brokers),
            replication_factor=3 if self.kafka_mode == "cluster" else 1,
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
            self._run(str(KAFKA_SH), "start", self.kafka_mode),
        )
        await self._run(str(PG_SH), "wait", "120")
        await self._durable()
        await self._run(str(KAFKA_SH), "wait", self.kafka_mode, "240")

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
        for args in ((str(KAFKA_SH), "stop", self.kafka_mode), (str(PG_SH), "stop")):
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

    async def kill_leader_of(self, topic: str, partition: int) -> int:
        """SIGKILL the broker leading the partition (no clean shutdown, no leader hand-over);
        returns its node id. The services' producers and consumers must find the new leader."""
        node = await self._leader_of(topic, partition)
        pid_file = self.state / "kafka-cluster" / f"node-{node}" / "kafka.pid"
        os.kill(int(pid_file.read_text().strip()), signal.SIGKILL)
        return node

    async def _leader_of(self, topic: str, partition: int) -> int:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.test_infra.kafka_bootstrap)
        await admin.start()
        try:
            [described] = await admin.describe_topics([topic])
        finally:
            await admin.close()
        [part] = [p for p in described["partitions"] if p["partition"] == partition]
        return int(part["leader"])

    async def start_killed_brokers(self) -> None:
        """`kafka.sh start cluster` starts only the nodes that are not running."""
        await self._run(str(KAFKA_SH), "start", "cluster")
        await self._run(str(KAFKA_SH), "wait", "cluster", "240")
