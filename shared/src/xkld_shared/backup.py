"""Backing up and restoring every service's database: `python -m xkld_shared.backup`.

A backup is a directory: one `pg_dump` custom-format file per service database, and
`manifest.json` with the row count of every table and each file's SHA-256. The counts and the
dump read the same snapshot (`pg_export_snapshot`), so they agree even while services write.

A restore recreates each database with its owner role and CONNECT rights (as provisioning
does), restores the dump as the superuser so every object keeps its owner (the `audit` schema
stays with its NOLOGIN owner), and then compares every table's count with the manifest.

The target is the superuser DSN (`XKLD_PG_ADMIN_DSN`) and the DSNs file that provisioning writes
(`<state>/run/dsns.json`): the database names and roles come from it.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import shutil
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from xkld_shared.provision import AUDIT_OWNER, dev_password

MANIFEST = "manifest.json"
FORMAT_VERSION = 1

_TABLES = """
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
ORDER BY 1
"""


@dataclass(frozen=True)
class Target:
    """One service's database, as the DSNs file names it."""

    service: str
    database: str
    role: str


def targets_of(dsn_file: Path) -> list[Target]:
    dsns: dict[str, str] = json.loads(dsn_file.read_text())
    result = []
    for service, dsn in sorted(dsns.items()):
        parts = urlsplit(dsn)
        result.append(Target(service, parts.path.lstrip("/"), parts.username or ""))
    return result


def dsn_in(admin_dsn: str, database: str) -> str:
    return urlunsplit(urlsplit(admin_dsn)._replace(path=f"/{database}"))


def _libpq_env(admin_dsn: str) -> dict[str, str]:
    """The password goes to pg_dump/pg_restore through the environment, never argv."""
    parts = urlsplit(admin_dsn)
    env = {**os.environ, "PGPASSWORD": parts.password or ""}
    return env


def _libpq_dsn(admin_dsn: str, database: str) -> str:
    parts = urlsplit(dsn_in(admin_dsn, database))
    netloc = f"{parts.username or 'postgres'}@{parts.hostname or '127.0.0.1'}:{parts.port or 5432}"
    return urlunsplit(parts._replace(netloc=netloc))


def _tool(name: str) -> str:
    found = shutil.which(name, path=os.environ.get("XKLD_PG_TOOLS_PATH") or None)
    if found is None:
        raise SystemExit(f"{name} not found: install postgresql-client, or set XKLD_PG_TOOLS_PATH")
    return found


async def count_rows(conn: asyncpg.Connection) -> dict[str, int]:
    tables = [row[0] for row in await conn.fetch(_TABLES)]
    return {table: int(await conn.fetchval(f"SELECT count(*) FROM {table}")) for table in tables}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ------------------------------------------------------------------- backup ---


async def backup_one(admin_dsn: str, target: Target, out: Path) -> dict[str, object]:
    conn = await asyncpg.connect(dsn_in(admin_dsn, target.database))
    try:
        # The counts and pg_dump see the same snapshot, held open until the dump has it.
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await conn.fetchval("SELECT pg_export_snapshot()")
            counts = await count_rows(conn)
            path = out / f"{target.service}.dump"
            command = [_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}"]
            command += [f"--file={path}", _libpq_dsn(admin_dsn, target.database)]
            await _run(command, admin_dsn)
    finally:
        await conn.close()
    return {
        "database": target.database,
        "role": target.role,
        "file": path.name,
        "sha256": sha256_of(path),
        "tables": counts,
    }


def _new_private_dir(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=False)
    out.chmod(0o700)  # the dumps hold personal data (sealed) and password hashes


async def backup(admin_dsn: str, dsn_file: Path, out: Path) -> dict[str, object]:
    await asyncio.to_thread(_new_private_dir, out)
    databases = {t.service: await backup_one(admin_dsn, t, out) for t in targets_of(dsn_file)}
    manifest: dict[str, object] = {
        "format": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(),
        "pg_dump": (await _run([_tool("pg_dump"), "--version"], admin_dsn)).strip(),
        "databases": databases,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


async def _run(command: list[str], admin_dsn: str) -> str:
    process = await asyncio.create_subprocess_exec(
        *command,
        env=_libpq_env(admin_dsn),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    if process.returncode != 0:
        text = (stderr or stdout).decode(errors="replace")[-4000:]
        raise RuntimeError(f"{Path(command[0]).name} failed (exit {process.returncode}):\n{text}")
    return stdout.decode(errors="replace")


# ------------------------------------------------------------------ restore ---


class RestoreRefused(Exception):
    """The restore would overwrite data, or the backup is not intact."""


async def restore(admin_dsn: str, source: Path, *, replace: bool = False) -> dict[str, object]:
    """Returns {service: {table: count}} after checking every count against the manifest."""
    manifest = json.loads((source / MANIFEST).read_text())
    if manifest.get("format") != FORMAT_VERSION:
        raise RestoreRefused(f"unknown backup format {manifest.get('format')!r}")
    databases: dict[str, dict[str, object]] = manifest["databases"]
    for service, entry in databases.items():
        if sha256_of(source / str(entry["file"])) != entry["sha256"]:
            raise RestoreRefused(f"{service}: {entry['file']} does not match its SHA-256")
    await _prepare_cluster(admin_dsn, databases, replace=replace)
    checked: dict[str, object] = {}
    for service, entry in databases.items():
        database = str(entry["database"])
        command = [_tool("pg_restore"), "--exit-on-error", "--single-transaction"]
        command += [f"--dbname={_libpq_dsn(admin_dsn, database)}", str(source / str(entry["file"]))]
        await _run(command, admin_dsn)
        checked[service] = await _check_counts(admin_dsn, service, entry)
    return checked


async def _prepare_cluster(
    admin_dsn: str, databases: dict[str, dict[str, object]], *, replace: bool
) -> None:
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute("SELECT pg_advisory_lock(hashtext('xkld.provision'))")
        existing = [
            str(e["database"])
            for e in databases.values()
            if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", e["database"])
        ]
        if existing and not replace:
            raise RestoreRefused(
                f"these databases exist: {', '.join(existing)}; stop the services and pass "
                "--replace to drop them first"
            )
        for database in existing:
            await conn.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
        await _ensure_role(conn, AUDIT_OWNER, login=False)
        for service, entry in databases.items():
            role, database = str(entry["role"]), str(entry["database"])
            await _ensure_role(conn, role, login=True, password=dev_password(service))
            # template0: an empty database, whatever template1 holds; the dump brings the rest.
            await conn.execute(f'CREATE DATABASE "{database}" OWNER "{role}" TEMPLATE template0')
            await conn.execute(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC')
            await conn.execute(f'GRANT CONNECT, TEMPORARY ON DATABASE "{database}" TO "{role}"')
    finally:
        await conn.close()


async def _ensure_role(
    conn: asyncpg.Connection, role: str, *, login: bool, password: str | None = None
) -> None:
    """An existing role keeps its password (production sets real ones); a missing one is made."""
    if await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
        return
    if not login:
        await conn.execute(f'CREATE ROLE "{role}" NOLOGIN')
        return
    literal = await conn.fetchval("SELECT quote_literal($1)", password)
    await conn.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB PASSWORD {literal}')


async def _check_counts(admin_dsn: str, service: str, entry: dict[str, object]) -> dict[str, int]:
    conn = await asyncpg.connect(dsn_in(admin_dsn, str(entry["database"])))
    try:
        counts = await count_rows(conn)
    finally:
        await conn.close()
    if counts != entry["tables"]:
        expected = entry["tables"]
        assert isinstance(expected, dict)
        differ = sorted(
            f"{t}: {expected.get(t)} in the manifest, {counts.get(t)} restored"
            for t in set(counts) | set(expected)
            if counts.get(t) != expected.get(t)
        )
        raise RestoreRefused(f"{service}: restored counts differ: " + "; ".join(differ))
    return counts


# ---------------------------------------------------------------------- CLI ---


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m xkld_shared.backup", description=__doc__)
    parser.add_argument(
        "--admin-dsn",
        default=os.environ.get("XKLD_PG_ADMIN_DSN"),
        help="superuser DSN; prefer the XKLD_PG_ADMIN_DSN variable (not visible in ps)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="dump every database in the DSNs file")
    make.add_argument("--dsn-file", type=Path, required=True, help="<state>/run/dsns.json")
    make.add_argument("--out", type=Path, required=True, help="a new directory")
    back = commands.add_parser("restore", help="recreate the databases of a backup")
    back.add_argument("--from", dest="source", type=Path, required=True)
    back.add_argument(
        "--replace", action="store_true", help="drop databases that exist (stop services first)"
    )
    return parser


async def _main(argv: list[str]) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.admin_dsn:
        parser.error("set XKLD_PG_ADMIN_DSN or give --admin-dsn")
    if args.command == "backup":
        manifest = await backup(args.admin_dsn, args.dsn_file, args.out)
        databases = manifest["databases"]
        assert isinstance(databases, dict)
        rows = {s: sum(e["tables"].values()) for s, e in databases.items()}
        print(json.dumps({"backup": str(args.out), "rows": rows}))
        return 0
    try:
        checked = await restore(args.admin_dsn, args.source, replace=args.replace)
    except RestoreRefused as refused:
        print(f"restore refused or failed: {refused}", file=sys.stderr)
        return 1
    rows = {s: sum(c.values()) for s, c in checked.items() if isinstance(c, dict)}
    print(json.dumps({"restored": str(args.source), "rows": rows, "counts_match": True}))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(_main(sys.argv[1:])))
