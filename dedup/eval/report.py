"""Write an evaluation into a folder: summary JSON, false positive and negative pairs (JSONL),
the sweep as CSV and PNG, and one self-contained HTML page.

| file | content |
| --- | --- |
| ``eval.json`` | parameters, counts, scores at the threshold, best swept threshold, sweep |
| ``false_positives.jsonl`` | pairs joined that the labels keep apart, with their similarities |
| ``false_negatives.jsonl`` | labelled pairs left apart, with their similarities |
| ``sweep.csv``, ``sweep.png`` | the sweep table and plot (with ``--sweep``) |
| ``eval.html`` | all of it on one page, the plot inline as SVG, links to ``clusters/<id>.html`` |
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from pathlib import Path
from typing import Any

import jinja2

from ..report.files import write_json, write_jsonl, write_text
from .core import Evaluation, PairError, ThresholdScores
from .plot import Panel, png, svg

__all__ = [
    "HTML_ROWS",
    "evaluation_record",
    "panel",
    "render_html",
    "row_record",
    "write_evaluation",
]

HTML_ROWS = 1000
"""False positives (and negatives) listed on the HTML page; the JSONL files hold them all."""


def _r(x: float) -> float:
    return round(x, 6)


def row_record(row: ThresholdScores) -> dict[str, Any]:
    """One threshold's scores as a flat record."""
    s, c = row.pairwise, row.clusters
    return {
        "threshold": row.threshold,
        "precision": _r(s.precision),
        "recall": _r(s.recall),
        "f1": _r(s.f1),
        "ari": _r(s.ari),
        "cluster_precision": _r(c.precision),
        "cluster_recall": _r(c.recall),
        "true_positives": s.true_positives,
        "false_positives": s.false_positives,
        "false_negatives": s.false_negatives,
        "clusters": row.predicted_clusters,
        "clusters_matched": c.matched,
    }


def error_record(error: PairError) -> dict[str, Any]:
    """One false positive or negative pair."""
    record = asdict(error)
    for key in ("jaccard", "containment_a_in_b", "containment_b_in_a", "estimated_jaccard"):
        record[key] = _r(record[key])
    return record


def _counts(errors: list[PairError]) -> dict[str, int]:
    counts: dict[str, int] = {"total": len(errors)}
    for e in errors:
        counts[e.kind] = counts.get(e.kind, 0) + 1
    return counts


def evaluation_record(ev: Evaluation, *, timings: bool = False) -> dict[str, Any]:
    """The summary written to ``eval.json`` (timings only when asked: they are not stable)."""
    best = ev.best
    record: dict[str, Any] = {
        "options": ev.options.to_dict(),
        "documents": {"read": ev.documents, "skipped": len(ev.skipped), "scored": ev.scored},
        "labels": {
            "groups": ev.truth_groups,
            "labelled_only": ev.labelled_only,
            "missing_ids": len(ev.missing_ids),
        },
        "candidates": ev.candidates,
        "scores": row_record(ev.scores),
        "false_positives": _counts(ev.false_positives),
        "false_negatives": _counts(ev.false_negatives),
    }
    if ev.sweep:
        record["sweep_candidates"] = ev.sweep_candidates
        record["lsh_missed"] = ev.lsh_missed
        record["best"] = row_record(best) if best else None
        record["sweep"] = [row_record(r) for r in ev.sweep]
    if timings:
        record["timings"] = {k: round(v, 3) for k, v in ev.timings.items()}
    return record


def sweep_csv(ev: Evaluation) -> str:
    """The sweep table as CSV text."""
    rows = [row_record(r) for r in ev.sweep]
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return buffer.getvalue()


def panel(title: str, rows: list[ThresholdScores], chosen: float | None) -> Panel:
    """A plot panel of sweep rows."""
    return Panel.scores(
        title,
        [r.threshold for r in rows],
        [r.pairwise.precision for r in rows],
        [r.pairwise.recall for r in rows],
        chosen,
    )


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("dedup.eval", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render_html(
    ev: Evaluation, title: str, *, plot_svg: str | None = None, pages: set[str] | None = None
) -> str:
    """The evaluation page; ``pages`` names the clusters whose ``clusters/<id>.html`` exist."""
    params = [(k, v) for k, v in ev.options.to_dict().items() if not isinstance(v, dict)]
    params += [(k, v) for k, v in ev.options.normalize.__dict__.items()]
    return (
        _environment()
        .get_template("eval.html.j2")
        .render(
            ev=ev,
            title=title,
            params=params,
            best=ev.best,
            svg=plot_svg,
            fps=ev.false_positives[:HTML_ROWS],
            fns=ev.false_negatives[:HTML_ROWS],
            pages=pages or set(),
        )
    )


def write_evaluation(
    ev: Evaluation,
    out: Path,
    *,
    title: str = "evaluation",
    plot: bool = True,
    timings: bool = False,
) -> list[Path]:
    """Write every file of the evaluation into ``out``; returns the paths written.

    Links to ``clusters/<id>.html`` appear for the pages already in ``out`` (written by the
    run's reports), so write those first.
    """
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "eval.json", out / "false_positives.jsonl", out / "false_negatives.jsonl"]
    write_json(written[0], evaluation_record(ev, timings=timings))
    write_jsonl(written[1], (error_record(e) for e in ev.false_positives))
    write_jsonl(written[2], (error_record(e) for e in ev.false_negatives))
    plot_svg = None
    if ev.sweep:
        written.append(out / "sweep.csv")
        write_text(written[-1], sweep_csv(ev))
        if plot:
            panels = [panel(title, ev.sweep, ev.options.threshold)]
            written.append(out / "sweep.png")
            png(panels, written[-1])
            plot_svg = svg(panels)
    pages = {p.stem for p in (out / "clusters").glob("*.html")}
    written.append(out / "eval.html")
    write_text(written[-1], render_html(ev, title, plot_svg=plot_svg, pages=pages))
    return written
