"""Atomic, deterministic file writing for every report.

Each file is written to a temporary name in its folder and renamed into place, so an interrupted
run never leaves a half-written file under a final name.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = [
    "atomic_open",
    "dumps",
    "journal",
    "remove_leftovers",
    "write_json",
    "write_jsonl",
    "write_text",
]

_journals: list[list[Path]] = []


_LEFTOVER = re.compile(r"\..+\.[A-Za-z0-9_]+\.tmp")


@contextmanager
def journal() -> Iterator[list[Path]]:
    """Collect, in order, every path :func:`atomic_open` completes inside the block.

    The CLI uses it to say what an interrupted command did and did not write.

    >>> with journal() as written:
    ...     pass
    >>> written
    []
    """
    written: list[Path] = []
    _journals.append(written)
    try:
        yield written
    finally:
        _journals.remove(written)


def remove_leftovers(folder: Path, *, older_than: float) -> list[Path]:
    """Delete temporary files a killed writer left in ``folder`` (not its sub-folders).

    Only names :func:`atomic_open` makes (``.NAME.RANDOM.tmp``) last modified before
    ``older_than`` (a :func:`time.time` value, e.g. when this run started) are removed.
    Returns the paths removed.
    """
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for path in sorted(folder.iterdir()):
        if _LEFTOVER.fullmatch(path.name) and path.is_file() and not path.is_symlink():
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_mtime < older_than:
                    path.unlink()
                    removed.append(path)
    return removed


def dumps(obj: Any) -> str:
    """Compact, stable JSON: keys in insertion order, non-ASCII kept as is.

    Values JSON has no type for (dates, decimals, bytes from Parquet metadata) become strings.
    Output is strict JSON (RFC 8259): a float it has no number for (NaN, infinities, in the
    metadata of documents a caller made: the readers give them as strings already) is written
    as the string ``"NaN"``, ``"Infinity"`` or ``"-Infinity"``, never as a bare token.

    >>> dumps({"a": [1, float("nan")]})
    '{"a":[1,"NaN"]}'
    """
    return _strict_json(obj, separators=(",", ":"))


def _strict_json(obj: Any, **options: Any) -> str:
    try:
        return json.dumps(obj, ensure_ascii=False, allow_nan=False, default=str, **options)
    except ValueError as exc:
        if not str(exc).startswith("Out of range float values"):
            raise
    return json.dumps(_finite(obj), ensure_ascii=False, allow_nan=False, default=str, **options)


_FLOAT_NAMES = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def _finite(obj: Any) -> Any:
    """``obj`` with each NaN or infinite float (value or key) as its JSON name in a string."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else _FLOAT_NAMES[repr(obj)]
    if isinstance(obj, dict):
        return {_finite(k): _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


@contextmanager
def atomic_open(path: Path) -> Iterator[IO[str]]:
    """Open ``path`` for writing text; it appears under its name only once complete.

    A lone surrogate (from a broken ``\\u`` escape in an input id or field, or an undecodable
    byte in a file name) cannot be UTF-8: it is written as its escape ``\\udXXX``, which in a
    JSON string reads back as the same character, instead of failing the whole run.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # The temporary name is chosen before the file exists, so a signal arriving at any point
    # after its creation still finds the name to remove. os.open gives the file the
    # permissions the umask allows (mkstemp would make it private).
    tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(
            fd, "w", encoding="utf-8", errors="backslashreplace", newline="\n"
        ) as handle:
            yield handle
        # No fsync: the rename already guarantees that an interrupted or killed run never
        # leaves a half-written file under a final name, and thousands of per-cluster files
        # would each pay a disk flush.
        os.replace(tmp, path)
        for written in _journals:
            written.append(path)
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
        handle.write(_strict_json(obj, indent=2))
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
