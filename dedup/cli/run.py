"""``dedupe run``: find every near-duplicate in a corpus and write the reports."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import click

from ..errors import ConfigError, InputError
from ..report.files import remove_leftovers
from ..report.outdir import OutputFolder
from .common import (
    build_options,
    build_read_options,
    dedup_errors,
    interruptible,
    match_options,
    progress_bar,
    read_options,
    report_skipped,
)

log = logging.getLogger(__name__)

_MAIN_REPORTS = ("clusters.jsonl", "pairs.jsonl", "deduplicated.jsonl", "removed.jsonl")


def _expected(kwargs: dict[str, Any]) -> list[Path]:
    """The main reports ``dedupe run`` writes, in the order it writes them."""
    out: Path = kwargs["out"]
    names = [*_MAIN_REPORTS, "summary.json"] + ([] if kwargs["no_html"] else ["index.html"])
    return [out / name for name in names]


@click.command(short_help="Find near-duplicates in a corpus and write the reports.")
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
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
    help="Processes that sign documents. [default: every core]",
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

    \b
    Writes into --out (a new folder, or one an earlier run wrote; never any other):
      clusters.jsonl      one line per cluster: members, representative
      pairs.jsonl         every verified candidate pair with its Jaccard and verdict
      deduplicated.jsonl  the kept documents (one per cluster, and every unique one)
      removed.jsonl       each removed document, what it duplicates and why
      alignments/CID.json each member aligned paragraph by paragraph to the representative
      diffs/CID.diff      the same as a unified diff with the edits marked
      merged/CID.txt      the canonical merged text; merged/CID.json its provenance
      clusters/CID.html   side-by-side pages, and index.html listing them (not with --no-html)
      summary.json        counts, options and every skipped input; written last, so it
                          marks a finished run

    \b
    Exit codes: 0 on success (also when some inputs were skipped: they are listed on stderr
    and in summary.json), 1 on errors or when no document could be read, 2 on bad usage
    (e.g. an --out folder holding other files), 130/143 when interrupted.

    \b
    Examples:
      dedupe run seeds/ --out reports/
      dedupe run corpus.jsonl --text-field content --threshold 0.8 --json > summary.json
    """
    from ..io import read_documents
    from ..lsh import lsh_parameters
    from ..pipeline import run as run_pipeline
    from ..report.jsonl import summary
    from ..report.writer import write_reports

    started = time.time()
    options = build_options(**flags)
    read_opts = build_read_options(**flags)
    lsh_parameters(options.threshold, options.num_perm)  # options LSH cannot serve: before the work
    folder = OutputFolder.claim(out)  # before the work: a refused --out costs nothing
    _check_inputs_outside(inputs, out)
    log.info("reading %s", " ".join(inputs))
    documents = read_documents(inputs, read_opts, exclude=[out])
    with progress_bar("reading and signing", quiet) as progress:
        result = run_pipeline(documents, options, progress=progress, workers=workers)
    if not quiet or not result.documents:
        report_skipped(result.skipped, listed="summary.json" if result.documents else None)
    if not result.documents:
        raise InputError(_nothing_read(inputs, len(result.skipped)))
    with progress_bar("aligning and writing", quiet, unit="clusters") as progress:
        write_reports(result, folder.path, timings=timings, html=not no_html, progress=progress)
    for sub in (out, *(out / name for name in ("alignments", "diffs", "merged", "clusters"))):
        remove_leftovers(sub, older_than=started)  # temporary files of a killed earlier run
    cut = result.cut
    if cut and not quiet:
        click.echo(
            f"cut {_count(cut, 'document')} to --max-chars {read_opts.max_chars} characters "
            "(the original length is in meta.original_chars)",
            err=True,
        )
    if as_json:
        from .output import json_dumps

        click.echo(json_dumps(summary(result, timings=True), indent=2))
    elif not quiet:
        click.echo(
            f"{_count(len(result.documents), 'document')} read, {len(result.skipped)} skipped, "
            f"{_count(len(result.clusters), 'cluster')}, "
            f"{_count(len(result.duplicate_of), 'duplicate')} removed -> {out}/"
        )


def _nothing_read(inputs: tuple[str, ...], skipped: int) -> str:
    from ..io import SUPPORTED_SUFFIXES

    named = ", ".join(inputs)
    if skipped:
        return f"no document could be read from {named} ({skipped} skipped, reasons above)"
    kinds = ", ".join(SUPPORTED_SUFFIXES)
    return (
        f"no document found in {named}: no file to read (supported: {kinds}; hidden files "
        "and folders are left out)"
    )


def _check_inputs_outside(inputs: tuple[str, ...], out: Path) -> None:
    """Refuse inputs inside --out: the run would read, and then replace, its own reports."""
    if not out.exists():
        return
    out_real = out.resolve()
    for given in inputs:
        if given == "-":
            continue
        where = Path(given).resolve()
        if where == out_real or out_real in where.parents:
            raise ConfigError(
                f"input {given} lies inside --out {out}; the run would read its own reports. "
                "Pass another --out folder"
            )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
