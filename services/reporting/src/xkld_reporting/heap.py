"""The rebuild command's heap (the service settles its own at start-up, in xkld_shared).

The administrative units are loaded before the heap is settled, so they are frozen with it."""

from __future__ import annotations

from xkld_shared import heap

from xkld_reporting.adapters.admin_units import admin_units

YOUNG_THRESHOLD = heap.YOUNG_THRESHOLD


def settle_heap() -> None:
    """See `xkld_shared.heap`: loads what stays for the process's life, then settles."""
    admin_units()  # loaded now so that it is frozen with the rest
    heap.settle_heap()
