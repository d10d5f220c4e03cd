"""Garbage-collector settings for a process that holds many long-lived connections.

Python's cyclic garbage collector pauses the whole event loop while it scans. A server holding
thousands of sockets, and the objects of the app itself, made its full collections take 100 to
200 ms: the slowest 5% of 500-member room deliveries waited that long (bench/RESULTS.md). The
objects that exist once the app is built live as long as the process, so they are frozen out of
every scan; and the young generation is collected after 100,000 new objects instead of 700, so the
older generations, whose scans are the long ones, are reached far less often. Only garbage in
reference cycles waits longer to be freed; everything else is still freed at once.
"""

import gc

GC_THRESHOLDS = (100_000, 50, 100)


def tune_garbage_collector() -> None:
    """Call once everything that lives as long as the process exists."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
