"""Write every report of a run into one folder."""

from __future__ import annotations

import logging
from pathlib import Path

from ..pipeline import Result
from . import jsonl
from .files import write_json, write_jsonl

__all__ = ["write_reports"]

log = logging.getLogger(__name__)

_OWNED_FOLDERS = ("diffs", "alignments", "merged", "clusters")


def _remove_stale(out: Path, written: set[Path]) -> None:
    """Delete files an earlier run left in the folders this writer owns."""
    for folder in _OWNED_FOLDERS:
        base = out / folder
        if not base.is_dir():
            continue
        for path in sorted(base.iterdir()):
            if path.is_file() and path not in written:
                log.info("removing stale report %s", path)
                path.unlink()


def write_reports(result: Result, out: Path, *, timings: bool = False) -> list[Path]:
    """Write summary, clusters, pairs, deduplicated and removed records into ``out``.

    Returns the paths written, in order. Files an earlier run left in the report sub-folders
    are removed, so ``out`` always describes this run alone.
    """
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def record(path: Path) -> Path:
        written.append(path)
        return path

    write_jsonl(record(out / "clusters.jsonl"), jsonl.cluster_records(result))
    write_jsonl(record(out / "pairs.jsonl"), (jsonl.pair_record(result, p) for p in result.pairs))
    write_jsonl(record(out / "deduplicated.jsonl"), jsonl.deduplicated_records(result))
    write_jsonl(record(out / "removed.jsonl"), jsonl.removed_records(result))
    write_json(record(out / "summary.json"), jsonl.summary(result, timings=timings))
    _remove_stale(out, set(written))
    return written
