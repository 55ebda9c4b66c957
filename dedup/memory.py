"""Keep freed memory in the process instead of handing it back to the system at once.

Signing works batch by batch with arrays of a few to a few tens of megabytes. glibc's
``malloc`` serves blocks that large with fresh ``mmap`` pages and unmaps them on ``free``, so
every batch touches every page of its arrays for the first time again; on the virtual machines
this was measured on, that page-fault cost (about 5 ns per 4-byte element) was larger than the
work itself (1 ns: gathering a code point table, for instance). Raising the mmap and trim
thresholds makes freed blocks reusable, and batch after batch runs on pages already mapped.

Only processes that ``dedup`` owns call this: the command line and the signing workers. A
library caller's process is left as it is.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging

__all__ = ["keep_freed_memory"]

log = logging.getLogger(__name__)

_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3

_SETTINGS = (
    (_M_MMAP_THRESHOLD, 1 << 30),  # blocks up to 1 GiB come from the heap
    (_M_TRIM_THRESHOLD, (1 << 31) - 1),  # the heap's top is not given back below 2 GiB free
    (_M_TOP_PAD, 64 << 20),  # grow the heap 64 MiB at a time
)


@functools.cache
def keep_freed_memory() -> bool:
    """Tune glibc ``malloc`` of this process as the module says; False where there is no
    glibc (macOS, musl) or it refused, which only costs speed."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    done = all(mallopt(option, value) == 1 for option, value in _SETTINGS)
    log.debug("malloc keeps freed memory: %s", done)
    return done
