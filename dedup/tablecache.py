"""Lookup tables over every code point, built once and kept on disk.

Normalization and tokenizing look characters up in tables indexed by code point. Building them
loops over every code point in Python and takes seconds; loading saved arrays takes
milliseconds. Without a cache every process that signs documents (each worker of
``dedupe run``, each index writer, each short ``dedupe diff``) would pay the seconds again.

A saved file is named by a digest of everything its tables depend on (the builder's name and
module source, dedup's version, Python's version and Unicode database), so a change to any of
them builds and saves afresh. The folder is ``$DEDUP_CACHE_DIR``, else
``$XDG_CACHE_HOME/dedup``, else ``~/.cache/dedup``; ``DEDUP_CACHE_DIR=off`` turns the cache
off. A file that cannot be read is built again; a folder that cannot be written only means the
next process builds again too.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from ._version import __version__

__all__ = ["cache_folder", "cached_arrays"]

log = logging.getLogger(__name__)

Arrays = dict[str, npt.NDArray[np.generic]]


def cache_folder() -> Path | None:
    """Where tables are kept, or None when ``DEDUP_CACHE_DIR=off``."""
    chosen = os.environ.get("DEDUP_CACHE_DIR")
    if chosen == "off":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dedup"


def _digest(build: Callable[[], Arrays], depends: Sequence[str]) -> str:
    module = sys.modules[build.__module__]
    parts = [
        build.__qualname__,
        inspect.getsource(module),
        *depends,
        __version__,
        sys.version,
        unicodedata.unidata_version,
    ]
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:24]


def cached_arrays(build: Callable[[], Arrays], depends: Sequence[str] = ()) -> Arrays:
    """``build()``, or what an earlier call saved of it.

    ``build`` returns named arrays and must depend only on its module's source, the Python it
    runs on and the strings in ``depends`` (together they name the file).
    """
    folder = cache_folder()
    if folder is None:
        return build()
    try:
        digest = _digest(build, depends)
    except (OSError, TypeError):  # no source to name the file by (bytecode only): build
        return build()
    name = re.sub(r"[^A-Za-z0-9_.]", "_", f"{build.__module__}.{build.__qualname__}")
    path = folder / f"{name}-{digest}.npz"
    try:
        with np.load(path, allow_pickle=False) as saved:
            return {name: saved[name] for name in saved.files}
    except FileNotFoundError:
        pass
    except (OSError, ValueError, EOFError) as error:
        log.debug("rebuilding %s: %s", path, error)
    arrays = build()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(handle, "wb") as out:
                cast(Any, np.savez)(out, **arrays)  # the stubs read a name as a keyword
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    except OSError as error:
        log.debug("cannot save %s: %s", path, error)
    return arrays
