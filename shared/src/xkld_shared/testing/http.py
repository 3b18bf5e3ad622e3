"""The tests' HTTP client.

Each `httpx.AsyncClient()` builds a new TLS context from certifi's bundle: about 60 ms of CPU
on this project's 2 GHz machines, far more than the few requests most tests send with it, and
the suite makes thousands. The tests speak plain HTTP to their own processes, so one context,
made once per process, serves every client here. It is httpx's default one: an https address
would still be verified.
"""

from __future__ import annotations

import functools

import httpx

_TLS = httpx.create_ssl_context()

local_client = functools.partial(httpx.AsyncClient, verify=_TLS)
