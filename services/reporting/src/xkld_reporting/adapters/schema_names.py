"""The constants the projection's tables and queries share, with the check that keeps a schema
name safe to put in SQL. The schema names themselves (LIVE, NEXT) and the switch lock are the
application's (`application.ports`)."""

from __future__ import annotations

import re

ALL_MARKETS = "*"  # the rollup's line for every market; never a market code ([A-Za-z0-9_.-])
WHOLE_YEAR = 0  # the rollup's quarter for the whole year
VERSION = 5  # 1: migration 0002; 2: the rollup (0003); 3: rural vocational training (0004)
# 4: poverty and remittances (0005); 5: enterprise reputation (0006)

_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")


def checked(schema: str) -> str:
    if not _IDENT.match(schema):
        raise ValueError(f"not a schema name: {schema!r}")
    return schema
