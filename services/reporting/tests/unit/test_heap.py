"""The collector settings the service and the rebuild start with."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from xkld_reporting.heap import YOUNG_THRESHOLD, settle_heap


@pytest.fixture
def restored_gc() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_settling_the_heap_freezes_what_start_up_loaded_and_collects_less_often(
    restored_gc: None,
) -> None:
    gc.unfreeze()
    settle_heap()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD
    assert gc.isenabled()
