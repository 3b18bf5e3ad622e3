"""Garbage-collector settings for a process that projects events in large batches.

A batch of 2 000 events allocates a few hundred thousand container objects (envelopes, payload
models, rows). With CPython's default threshold (700 allocations) that is hundreds of
generation-0 collections per batch, and every older-generation collection also walks the
~140 000 objects loaded at start (administrative units, pydantic schemas, modules). Projecting
117 191 events took 15.2 s, of which 5.7 s was the collector (bench/README.md, Reporting).

So, once at start: load what stays for the process's life, move it to the permanent generation
(`gc.freeze`, never scanned again), and collect the young generation every 50 000 allocations
instead of every 700. Reference cycles then live a little longer before they are freed; plain
garbage is still freed at once by reference counting.
"""

from __future__ import annotations

import gc

from xkld_reporting.adapters.admin_units import admin_units

YOUNG_THRESHOLD = 50_000


def settle_heap() -> None:
    admin_units()  # loaded now so that it is frozen with the rest
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, max(middle, 20), max(old, 100))
