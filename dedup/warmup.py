"""Importing this module loads every compiled kernel and code point table of the signing path.

The fork server of the signing workers imports it (see :func:`dedup.parallel.start_workers`),
so each worker it forks starts with the kernels ready instead of loading them itself (about a
second per process). Nothing else should need to import it.
"""

from __future__ import annotations

import logging

from .options import Options
from .sketch import sketch_batch

log = logging.getLogger(__name__)

try:
    sketch_batch(["預熱 warm up", "預熱"], Options())
except Exception as error:  # noqa: BLE001 (a worker then loads what it needs itself)
    log.debug("warm-up failed: %s", error)
