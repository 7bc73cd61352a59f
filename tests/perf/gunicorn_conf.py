"""Gunicorn hooks for the benchmark: count the requests each worker serves.

Each worker owns one 8-byte slot of a small shared file (its path comes from
BENCH_COUNTER_FILE) and adds one per request, under a lock taken only by its
own threads. The harness reads the file before and after a run to see how the
load split over the workers. The cost is the same for every endpoint.
"""

import mmap
import os
import struct
import threading

SLOTS = 16
SLOT = struct.Struct("<Q")

_state = {}
_lock = threading.Lock()


def post_fork(server, worker):
    path = os.environ.get("BENCH_COUNTER_FILE")
    if not path:
        return
    fd = os.open(path, os.O_RDWR)
    try:
        _state["map"] = mmap.mmap(fd, SLOTS * SLOT.size)
    finally:
        os.close(fd)
    _state["offset"] = ((worker.age - 1) % SLOTS) * SLOT.size


def post_request(worker, req, environ, resp):
    counters = _state.get("map")
    if counters is None:
        return
    offset = _state["offset"]
    with _lock:
        (count,) = SLOT.unpack_from(counters, offset)
        SLOT.pack_into(counters, offset, count + 1)


def create_counter_file(path) -> None:
    """An empty counter file with a slot per worker."""
    with open(path, "wb") as f:
        f.write(bytes(SLOTS * SLOT.size))


def read_counters(path) -> list[int]:
    with open(path, "rb") as f:
        data = f.read(SLOTS * SLOT.size)
    return [SLOT.unpack_from(data, i * SLOT.size)[0] for i in range(SLOTS)]
