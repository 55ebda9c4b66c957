"""Importing this module loads every compiled kernel and code point table of the signing path,
and makes the importing process end without interpreter teardown.

The fork server of the signing workers imports it (see :func:`dedup.parallel.start_workers`),
so each worker it forks starts with the kernels ready instead of loading them itself (about a
second per process). When the run's process ends, the fork server ends too; tearing its
interpreter down (numba's compiled code among it) would take half a second more, during
which it still holds the output pipes it shares with the run: a caller reading them waits.
Imported anywhere else, it only loads the kernels.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing.forkserver
import os
import sys

from .options import Options
from .sketch import sketch_batch

log = logging.getLogger(__name__)

try:
    sketch_batch(["預熱 warm up", "預熱"], Options())
except Exception as error:  # noqa: BLE001 (a worker then loads what it needs itself)
    log.debug("warm-up failed: %s", error)


def _preloaded_by_fork_server() -> bool:
    """Whether a multiprocessing fork server is importing this module as it starts."""
    serving = multiprocessing.forkserver.main.__code__
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is serving:
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


ENDS_AT_ONCE = _preloaded_by_fork_server()
"""Whether this process (a fork server) ends without teardown; any other importer keeps its
normal exit, and its exit code."""
if ENDS_AT_ONCE:
    atexit.register(os._exit, 0)  # the fork server ends at once (its workers end by os._exit)
