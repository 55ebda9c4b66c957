"""The ``--out`` folder of ``dedupe run``: claimed before the work, owned only where written.

A folder is ours when it holds the marker file :data:`MARKER` (which lists the files the last
finished run wrote), or, for folders written before the marker existed, when every entry in it
is a name ``dedupe run`` writes. Anything else that is not empty is refused, so a report run
never mixes with a user's files. In a folder of ours a run removes only files with the names
it writes (fixed names at the top, ``cNNNN.*`` in its four sub-folders) that it did not write
this time, which also covers what a killed run wrote before it could update the marker; any
other file a user keeps there stays. ``summary.json`` is written last: an interrupted run
leaves none, so its presence marks a finished run.

>>> import tempfile
>>> out = OutputFolder.claim(Path(tempfile.mkdtemp()) / "reports")
>>> out.begin(); out.finish([out.path / "summary.json"])
>>> (out.path / MARKER).is_file()
True
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from ..errors import ConfigError
from .files import write_text

__all__ = ["MARKER", "SUMMARY", "OutputFolder"]

MARKER = ".dedupe-output"
"""The file that marks a folder as written by ``dedupe run`` and lists what it wrote."""
SUMMARY = "summary.json"
"""Written last: its presence marks a finished run."""

_MIN_FREE_BYTES = 16 << 20
_TOP_NAMES = {
    "clusters.jsonl",
    "pairs.jsonl",
    "deduplicated.jsonl",
    "removed.jsonl",
    SUMMARY,
    "index.html",
}
_COMPANIONS = {  # `dedupe eval --reports` writes these beside the reports: accepted, never removed
    "eval.json",
    "eval.html",
    "false_positives.jsonl",
    "false_negatives.jsonl",
    "sweep.csv",
    "sweep.png",
}
_SUB_FOLDERS = ("alignments", "diffs", "merged", "clusters")
_CLUSTER_FILE = re.compile(r"c\d{4,}\.(json|diff|txt|html)")
_TEMPORARY = re.compile(r"\..+\.[A-Za-z0-9_]+\.tmp")


class OutputFolder:
    """The report folder of one run. :meth:`claim` it before the work, :meth:`begin` before
    writing, :meth:`finish` when every file but ``summary.json`` is written."""

    def __init__(self, path: Path, previous: frozenset[str]) -> None:
        self.path = path
        self.previous = previous
        """Report files (relative POSIX paths) of earlier runs here: the only ones ever removed."""

    @classmethod
    def claim(cls, path: Path) -> OutputFolder:
        """Check that ``path`` may receive the reports; a :class:`ConfigError` naming the fix
        when it is a non-empty folder not written by ``dedupe run``, not a folder, or not
        writable. Nothing is changed on disk."""
        if path.exists() and not path.is_dir():
            raise ConfigError(f"--out {path} is a file; pass a folder (new or empty) for reports")
        previous = _previous_files(path) if path.is_dir() else frozenset()
        _check_writable(path)
        return cls(path, previous)

    def begin(self) -> None:
        """Make the folder, mark it as ours and remove the last run's ``summary.json``, so an
        interrupted run is never mistaken for a finished one."""
        self.path.mkdir(parents=True, exist_ok=True)
        self._mark(self.previous)
        if SUMMARY in self.previous:
            with contextlib.suppress(FileNotFoundError):
                (self.path / SUMMARY).unlink()

    def finish(self, written: Iterable[Path]) -> None:
        """Remove what an earlier run wrote and this one did not, and record what this run
        wrote (``summary.json`` included, which the caller writes next)."""
        names = {self._relative(p) for p in written} | {SUMMARY}
        for name in sorted(self.previous - names):
            with contextlib.suppress(FileNotFoundError):
                (self.path / name).unlink()
        self._mark(frozenset(names))

    def abandon(self, written: Iterable[Path]) -> None:
        """After an interruption: record this run's files beside the earlier ones, so the next
        run owns (and may replace or remove) both."""
        self._mark(self.previous | {self._relative(p) for p in written})

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.path).as_posix()

    def _mark(self, files: frozenset[str]) -> None:
        body = {"written_by": "dedupe run", "files": sorted(files)}
        write_text(self.path / MARKER, json.dumps(body, ensure_ascii=False, indent=1) + "\n")


def _previous_files(path: Path) -> frozenset[str]:
    """What an earlier run wrote into ``path``; a ConfigError if a user's files are there."""
    marker = path / MARKER
    if marker.is_file():
        try:
            files = json.loads(marker.read_text(encoding="utf-8"))["files"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(
                f"--out {path}: its {MARKER} file is damaged ({exc}); "
                "delete the folder or pass a new one"
            ) from exc
        # Names the run writes only: a marker cannot make a run delete anything else.
        listed = {f for f in files if isinstance(f, str) and _is_report_name(f)}
        return frozenset(listed | {e for e in _entries(path) if _is_report_name(e)})
    entries = sorted(e for e in _entries(path) if e not in _COMPANIONS)
    foreign = [e for e in entries if not _is_report_name(e)]
    if foreign:
        shown = ", ".join(foreign[:3]) + (
            f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        )
        raise ConfigError(
            f"--out {path} is not empty and was not written by dedupe run (it holds {shown}); "
            "pass a new or empty folder, e.g. --out reports"
        )
    return frozenset(entries)  # a folder from before the marker: every name in it is ours


def _entries(path: Path) -> Iterable[str]:
    for entry in path.iterdir():
        if entry.is_dir() and not entry.is_symlink() and entry.name in _SUB_FOLDERS:
            for inner in entry.iterdir():
                yield f"{entry.name}/{inner.name}" + ("/" if inner.is_dir() else "")
        elif _TEMPORARY.fullmatch(entry.name):
            continue  # a killed run's temporary file: removed by the next run's writer
        else:
            yield entry.name + ("/" if entry.is_dir() else "")


def _is_report_name(name: str) -> bool:
    folder, _, file = name.rpartition("/")
    if not folder:
        return file in _TOP_NAMES
    return folder in _SUB_FOLDERS and bool(
        _CLUSTER_FILE.fullmatch(file) or _TEMPORARY.fullmatch(file)
    )


def _check_writable(path: Path) -> None:
    """Fail before the work when the reports could not be written."""
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise ConfigError(f"--out {path}: cannot write in {existing} (permission denied)")
    free = shutil.disk_usage(existing).free
    if free < _MIN_FREE_BYTES:
        raise ConfigError(
            f"--out {path}: only {free >> 20} MB free on its disk; free some space or pass "
            "--out on another disk"
        )
