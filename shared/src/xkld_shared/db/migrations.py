"""Alembic, driven programmatically: each service has its own script directory and history.

Migrations are plain SQL through `op.execute`; SQLAlchemy is used only as Alembic's connection.
"""

from __future__ import annotations

import asyncio

from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def alembic_config(script_location: str, dsn: str) -> Config:
    """`script_location` is a package path such as `xkld_registration:migrations`."""
    config = Config()
    config.set_main_option("script_location", script_location)
    config.attributes["dsn"] = dsn
    return config


def upgrade_to_head(script_location: str, dsn: str) -> None:
    """Blocking; call it from a thread or a CLI, never from a running event loop."""
    command.upgrade(alembic_config(script_location, dsn), "head")


def _sqlalchemy_url(dsn: str) -> str:
    scheme, _, rest = dsn.partition("://")
    return f"postgresql+asyncpg://{rest}" if scheme.startswith("postgres") else dsn


def _run(connection: Connection) -> None:
    context.configure(connection=connection, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_online(dsn: str) -> None:
    engine = create_async_engine(_sqlalchemy_url(dsn), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


def run_env() -> None:
    """The body of every service's `env.py`."""
    dsn = context.config.attributes["dsn"]
    asyncio.run(_run_online(dsn))


def execute_script(sql: str) -> None:
    """Run multi-statement SQL in a migration, inside Alembic's transaction.

    SQLAlchemy's asyncpg dialect prepares each statement, and a prepared statement holds one
    command; asyncpg's own `execute` without arguments uses the simple protocol, which takes many.
    """
    dbapi_connection = op.get_bind().connection.dbapi_connection
    assert dbapi_connection is not None
    dbapi_connection.run_async(lambda conn: conn.execute(sql))
