"""``dedupe eval``: score a detection against truth labels, at one threshold or a sweep."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import ConfigError
from ..textsafe import visible_id
from .common import (
    build_options,
    build_read_options,
    dedup_errors,
    match_options,
    progress_bar,
    read_options,
)
from .output import json_dumps

if TYPE_CHECKING:
    from ..eval.core import Evaluation, ThresholdScores


def _table(ev: Evaluation) -> list[str]:
    head = (
        f"{'threshold':>9} {'precision':>9} {'recall':>9} {'F1':>9} {'ARI':>9} "
        f"{'clusterP':>9} {'clusterR':>9} {'FP':>7} {'FN':>7}"
    )

    def line(r: ThresholdScores, mark: str) -> str:
        s, c = r.pairwise, r.clusters
        return (
            f"{r.threshold:9.3f} {s.precision:9.4f} {s.recall:9.4f} {s.f1:9.4f} {s.ari:9.4f} "
            f"{c.precision:9.4f} {c.recall:9.4f} {s.false_positives:7d} {s.false_negatives:7d}"
            f"{mark}"
        )

    lines = [head]
    if ev.sweep:
        best = ev.best
        for r in ev.sweep:
            mark = "  <- threshold" if r.threshold == ev.options.threshold else ""
            if r is best:
                mark += "  <- best F1"
            lines.append(line(r, mark))
        lines.append("at the threshold, with its own LSH candidates (as `dedupe run`):")
    lines.append(line(ev.scores, ""))
    return lines


@click.command(name="eval")
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "--truth",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON or JSONL file of groups of duplicate ids (ids in no group are singletons).",
)
@click.option(
    "--truth-field",
    help="Input field holding a group label instead: equal values are duplicates.",
)
@click.option(
    "--labelled-only",
    is_flag=True,
    help="Score only the documents named in the labels (for labels that cover a sample).",
)
@click.option(
    "--sweep",
    metavar="START:STOP:STEP",
    help="Also score every threshold from START to STOP (inclusive), e.g. 0.3:0.95:0.05.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    default=None,
    help="Folder for eval.json, false_positives.jsonl, false_negatives.jsonl, eval.html "
    "(and sweep.csv, sweep.png with --sweep).",
)
@click.option(
    "--reports",
    is_flag=True,
    help="Also write the run's reports into --out, so eval.html links to the cluster pages.",
)
@click.option("--no-plot", is_flag=True, help="Do not draw the sweep plot (needs matplotlib).")
@match_options
@click.option(
    "--containment",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    default=None,
    help="Also join documents of which at least this share of shingles lies inside another.",
)
@read_options
@click.option("--title", default=None, help="Title of the HTML page and plot (default: inputs).")
@click.option("--json", "as_json", is_flag=True, help="Print eval.json's content on stdout.")
@click.option("--timings", is_flag=True, help="Record timings in eval.json (not byte-stable).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no table.")
@dedup_errors()
def eval_command(
    inputs: tuple[str, ...],
    truth: Path | None,
    truth_field: str | None,
    labelled_only: bool,
    sweep: str | None,
    out: Path | None,
    reports: bool,
    no_plot: bool,
    title: str | None,
    as_json: bool,
    timings: bool,
    quiet: bool,
    **flags: Any,
) -> None:
    """Score near-duplicate detection on INPUTS against truth labels.

    Reports pairwise precision, recall and F1, cluster precision and recall (clusters found
    exactly) and the adjusted Rand index, and lists every false positive and false negative
    pair with its similarities. With --sweep, one signature pass serves every threshold.
    Exit code 0 on success, 1 on errors, 2 on bad usage.

    \b
    Examples:
      dedupe eval corpus.jsonl --truth groups.jsonl
      dedupe eval corpus.jsonl --truth-field story --sweep 0.3:0.95:0.05 --out eval/
    """
    from ..document import Document
    from ..eval import evaluate, labels_from_field, parse_sweep, read_labels
    from ..eval.plot import require_matplotlib
    from ..eval.report import evaluation_record, write_evaluation
    from ..io import read_documents

    if (truth is None) == (truth_field is None):
        raise ConfigError("give exactly one of --truth LABELS or --truth-field FIELD")
    if reports and out is None:
        raise ConfigError("--reports writes into --out: give --out DIR too")
    options = build_options(**flags)
    thresholds = parse_sweep(sweep) if sweep else None
    if thresholds and options.threshold not in thresholds:
        thresholds = sorted([*thresholds, options.threshold])
    plot = bool(thresholds) and out is not None and not no_plot
    if plot:
        require_matplotlib()
    groups = read_labels(truth) if truth is not None else None
    items = list(read_documents(inputs, build_read_options(**flags)))
    if groups is None:
        assert truth_field is not None
        groups = labels_from_field((d for d in items if isinstance(d, Document)), truth_field)
    with progress_bar("signatures", quiet) as progress:
        ev = evaluate(
            items,
            groups,
            options,
            thresholds=thresholds,
            labelled_only=labelled_only,
            progress=progress,
        )
    if out is not None:
        if reports:
            _write_run_reports(items, ev, out)
        write_evaluation(ev, out, title=title or " ".join(inputs), plot=plot, timings=timings)
    if not quiet:
        for skipped in ev.skipped:
            click.echo(
                f"skipped {visible_id(skipped.source)}: {visible_id(skipped.reason)}", err=True
            )
        if ev.missing_ids:
            click.echo(f"{len(ev.missing_ids)} labelled ids are not in the input", err=True)
    if as_json:
        click.echo(json_dumps(evaluation_record(ev, timings=timings), indent=2))
    elif not quiet:
        for line in _table(ev):
            click.echo(line)
        click.echo(
            f"{ev.scored} documents scored, {ev.truth_groups} labelled groups, "
            f"{len(ev.false_positives)} false positive and {len(ev.false_negatives)} false "
            f"negative pairs" + (f" -> {out}/" if out is not None else "")
        )


def _write_run_reports(items: list[Any], ev: Evaluation, out: Path) -> None:
    """The run's own reports (and cluster pages) beside the evaluation."""
    from ..pipeline import run as run_pipeline
    from ..report.writer import write_reports

    result = run_pipeline(items, ev.options)
    found = [(c.id, list(c.members)) for c in result.clusters]
    if found != ev.clusters:
        click.echo("warning: the run's clusters differ from the evaluated ones", err=True)
    write_reports(result, out)
