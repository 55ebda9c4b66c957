"""Atomic, deterministic file writing for every report.

Each file is written to a temporary name in its folder and renamed into place, so an interrupted
run never leaves a half-written file under a final name.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_open", "dumps", "write_json", "write_jsonl", "write_text"]


def dumps(obj: Any) -> str:
    """Compact, stable JSON: keys in insertion order, non-ASCII kept as is.

    Values JSON has no type for (dates, decimals, bytes from Parquet metadata) become strings.
    """
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=str)


@contextmanager
def atomic_open(path: Path) -> Iterator[IO[str]]:
    """Open ``path`` for writing text; it appears under its name only once complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(path: Path, text: str) -> None:
    """Write ``text`` atomically."""
    with atomic_open(path) as handle:
        handle.write(text)


def write_json(path: Path, obj: Any) -> None:
    """Write one JSON document, indented for reading, atomically."""
    with atomic_open(path) as handle:
        handle.write(json.dumps(obj, ensure_ascii=False, indent=2, allow_nan=False, default=str))
        handle.write("\n")


def write_jsonl(path: Path, records: Iterable[Any]) -> int:
    """Write one JSON object per line atomically; returns the number of lines."""
    count = 0
    with atomic_open(path) as handle:
        for record in records:
            handle.write(dumps(record))
            handle.write("\n")
            count += 1
    return count
