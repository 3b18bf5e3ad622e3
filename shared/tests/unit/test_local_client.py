"""The tests' HTTP client shares one TLS context instead of building one per client."""

from __future__ import annotations

import ssl

import pytest
from xkld_shared.testing.http import local_client


async def test_a_test_client_builds_no_tls_context_of_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object, **kwargs: object) -> ssl.SSLContext:
        raise AssertionError("a client built a TLS context of its own")

    monkeypatch.setattr(ssl, "create_default_context", refuse)
    async with local_client(timeout=1.0) as client:
        assert client.timeout.read == 1.0


def test_the_shared_context_still_verifies_an_https_address() -> None:
    client = local_client()
    pool = client._transport._pool  # type: ignore[attr-defined]  # httpcore holds the context
    assert pool._ssl_context.verify_mode == ssl.CERT_REQUIRED
    assert pool._ssl_context.check_hostname
