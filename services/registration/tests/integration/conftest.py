"""What registration's integration tests share."""

from __future__ import annotations

import pytest


@pytest.fixture
def namespace_databases() -> tuple[str, ...]:
    """Registration's database, and loans' for the tests that run the bank beside it."""
    return ("registration", "loans")
