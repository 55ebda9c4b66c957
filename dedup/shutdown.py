"""How dedup's own processes end: exit handlers, flushed output, then no interpreter teardown.

Freeing every module at exit (numba's compiled code among them) takes about half a second and
changes nothing once the work is written; the ``dedupe`` executable and the benchmark scripts
end with :func:`finish` instead. Library callers' processes end as they like.
"""

from __future__ import annotations

import atexit
import os
import sys
from typing import NoReturn

__all__ = ["finish"]


def finish(code: int) -> NoReturn:
    """Run the exit handlers (work folders are removed, logs flushed), flush stdout and
    stderr, and end this process with ``code`` (1 if nothing could be flushed)."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said there
            code = code or 1
    os._exit(code)
