"""``dedupe run``: find every near-duplicate in a corpus and write the reports."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import click

from ..io import read_documents
from ..pipeline import run as run_pipeline
from ..report.files import remove_leftovers
from ..report.jsonl import summary
from ..report.writer import write_reports
from .common import (
    build_options,
    build_read_options,
    dedup_errors,
    interruptible,
    match_options,
    progress_bar,
    read_options,
)

log = logging.getLogger(__name__)

_MAIN_REPORTS = ("clusters.jsonl", "pairs.jsonl", "deduplicated.jsonl", "removed.jsonl")


def _expected(kwargs: dict[str, Any]) -> list[Path]:
    """The main reports ``dedupe run`` writes, in the order it writes them."""
    out: Path = kwargs["out"]
    names = [*_MAIN_REPORTS, "summary.json"] + ([] if kwargs["no_html"] else ["index.html"])
    return [out / name for name in names]


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports"),
    show_default=True,
    help="Folder for the reports.",
)
@match_options
@click.option(
    "--containment",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    default=None,
    help="Also join documents of which at least this share of shingles lies inside another.",
)
@read_options
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@click.option(
    "--no-html", is_flag=True, help="Do not write index.html and the clusters/*.html pages."
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that sign documents  [default: every core]",
)
@click.option("--timings", is_flag=True, help="Record timings in summary.json (not byte-stable).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no closing line.")
@dedup_errors()
@interruptible(_expected)
def run(
    inputs: tuple[str, ...],
    out: Path,
    as_json: bool,
    no_html: bool,
    workers: int | None,
    timings: bool,
    quiet: bool,
    **flags: Any,
) -> None:
    """Find near-duplicates among INPUTS (folders, .txt, JSONL, CSV, Parquet; '-' for stdin).

    Writes summary.json, clusters.jsonl, pairs.jsonl, deduplicated.jsonl and removed.jsonl
    into --out. Exit code 0 on success (also when some inputs were skipped: they are listed
    in summary.json), 1 on errors, 2 on bad usage.
    """
    started = time.time()
    options = build_options(**flags)
    read_opts = build_read_options(**flags)
    log.info("reading %s", " ".join(inputs))
    documents = read_documents(inputs, read_opts)
    with progress_bar("signatures", quiet) as progress:
        result = run_pipeline(documents, options, progress=progress, workers=workers)
    write_reports(result, out, timings=timings, html=not no_html)
    for folder in (out, *(out / name for name in ("alignments", "diffs", "merged", "clusters"))):
        remove_leftovers(folder, older_than=started)  # temporary files of a killed earlier run
    for skipped in result.skipped:
        if not quiet:
            click.echo(f"skipped {skipped.source}: {skipped.reason}", err=True)
    cut = result.cut
    if cut and not quiet:
        click.echo(
            f"cut {_count(cut, 'document')} to --max-chars {read_opts.max_chars} characters "
            "(the original length is in meta.original_chars)",
            err=True,
        )
    if as_json:
        click.echo(json.dumps(summary(result, timings=True), ensure_ascii=False, indent=2))
    elif not quiet:
        click.echo(
            f"{_count(len(result.documents), 'document')} read, {len(result.skipped)} skipped, "
            f"{_count(len(result.clusters), 'cluster')}, "
            f"{_count(len(result.duplicate_of), 'duplicate')} removed -> {out}/"
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
