"""The test harness's service process: how it waits for readiness."""

from __future__ import annotations

import pytest
from xkld_shared.testing.processes import START_TIMEOUT_SECONDS, ServiceProcess


async def test_a_process_that_exits_before_it_is_ready_is_reported_at_once_with_its_log() -> None:
    # No database URL: the service refuses to start. The wait must end on the exit, not on
    # the (long) readiness deadline.
    proc = ServiceProcess("xkld_registration", {"XKLD_DATABASE_URL": ""})
    with pytest.raises(RuntimeError, match="exited with code") as failure:
        await proc.start(timeout=START_TIMEOUT_SECONDS)
    assert "xkld_registration" in str(failure.value)
