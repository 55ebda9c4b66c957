"""``make eval``: score dedup on the real and generated data sets, sweep its parameters, and
write the results table, the plots and the README section into ``docs/eval/``.

    python -m bench.eval [--out docs/eval] [--set threshold=0.6 --set cjk_ngram=3] [--quick]

For each data set: one evaluation per n-gram size (CJK sizes for Chinese, word sizes for
English), each with a threshold sweep from one signature pass; then the default n-gram size
with other numbers of permutations. The defaults are the library's (``Options()``), changed
with ``--set`` to try others.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path
from typing import Any

from dedup import Options
from dedup.eval import evaluate, parse_sweep
from dedup.eval.plot import Panel, png
from dedup.eval.report import row_record

from .checks import newsgroups_other_pairs, quote_like, tang_breakdown
from .datasets import LOADERS, ROOT, Dataset
from .markdown import readme_section

log = logging.getLogger("bench.eval")

GRIDS = {"cjk": [2, 3, 4, 5, 6], "words": [2, 3, 4, 5]}
PERMS = [64, 128, 256]
CONTAINMENT = {"tang": 0.8}
"""Data sets also scored with ``--containment``: copies that lost part of their text."""
SWEEP = "0.3:0.95:0.05"


def _value(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _with_n(options: Options, script: str, n: int) -> Options:
    return options.with_(cjk_ngram=n) if script == "cjk" else options.with_(word_ngram=n)


def _n_of(options: Options, script: str) -> int:
    return options.cjk_ngram if script == "cjk" else options.word_ngram


def run_dataset(
    ds: Dataset, defaults: Options, grid: list[int], perms: list[int], out: Path
) -> dict[str, Any]:
    """Every evaluation of one data set, as plain records."""
    thresholds = parse_sweep(SWEEP)
    default_n = _n_of(defaults, ds.script)
    record: dict[str, Any] = {
        "name": ds.name,
        "note": ds.note,
        "script": ds.script,
        "documents": len(ds.documents),
        "ngrams": {},
        "perms": {},
    }
    for n in sorted({*grid, default_n}):
        options = _with_n(defaults, ds.script, n)
        started = time.perf_counter()
        ev = evaluate(
            ds.documents,
            ds.truth,
            options,
            thresholds=thresholds,
            labelled_only=ds.labelled_only,
        )
        log.info("%s n=%d: %.0f s", ds.name, n, time.perf_counter() - started)
        entry = {
            "scores": row_record(ev.scores),
            "sweep": [row_record(r) for r in ev.sweep],
            "candidates": ev.candidates,
            "sweep_candidates": ev.sweep_candidates,
            "lsh_missed": ev.lsh_missed,
            "timings": {k: round(v, 2) for k, v in ev.timings.items()},
        }
        record["ngrams"][n] = entry
        if n == default_n:
            record["default"] = entry
            record["scored"] = ev.scored
            record["truth_groups"] = ev.truth_groups
            if ds.name == "newsgroups":
                record["other_pairs"] = newsgroups_other_pairs(ds, ev, out)
                record["quotes"] = {options.threshold: quote_like(ds, ev)}
                for lower in (0.5,):
                    at = evaluate(ds.documents, ds.truth, options.with_(threshold=lower))
                    record["quotes"][lower] = quote_like(ds, at)
            if ds.name == "tang":
                record["tang"] = tang_breakdown(ds, ev)
    for perm in perms:
        if perm == defaults.num_perm:
            entry = record["default"]
        else:
            ev = evaluate(
                ds.documents,
                ds.truth,
                defaults.with_(num_perm=perm),
                labelled_only=ds.labelled_only,
            )
            entry = {
                "scores": row_record(ev.scores),
                "candidates": ev.candidates,
                "timings": {k: round(v, 2) for k, v in ev.timings.items()},
            }
        record["perms"][perm] = {k: entry[k] for k in ("scores", "candidates", "timings")}
    if ds.name in CONTAINMENT:
        options = defaults.with_(containment=CONTAINMENT[ds.name])
        ev = evaluate(ds.documents, ds.truth, options, labelled_only=ds.labelled_only)
        record["containment"] = {
            "containment": options.containment,
            "scores": row_record(ev.scores),
            "timings": {k: round(v, 2) for k, v in ev.timings.items()},
        }
        if ds.name == "tang":
            record["containment"]["tang"] = tang_breakdown(ds, ev)
    return record


def render(results: dict[str, Any], out: Path) -> None:
    """The plots and the README section, from the results."""
    chosen = results["options"]["threshold"]
    records = results["datasets"]
    png(
        [
            Panel.scores(
                r["name"],
                [row["threshold"] for row in r["default"]["sweep"]],
                [row["precision"] for row in r["default"]["sweep"]],
                [row["recall"] for row in r["default"]["sweep"]],
                chosen,
            )
            for r in records
        ],
        out / "thresholds.png",
    )
    png(
        [
            Panel(
                f"{r['name']}: F1 by n-gram size",
                [row["threshold"] for row in r["default"]["sweep"]],
                [(f"n={n}", [row["f1"] for row in e["sweep"]]) for n, e in r["ngrams"].items()],
                chosen,
            )
            for r in records
        ],
        out / "ngrams.png",
    )
    (out / "README-section.md").write_text(readme_section(results), encoding="utf-8")


def load_results(path: Path) -> dict[str, Any]:
    """``results.json`` with its integer keys (n-gram sizes, permutations) restored."""
    results: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    for d in results["datasets"]:
        for key in ("ngrams", "perms"):
            d[key] = {int(k): v for k, v in d[key].items()}
        if "quotes" in d:
            d["quotes"] = {float(k): v for k, v in d["quotes"].items()}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "eval")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE")
    parser.add_argument("--datasets", default=",".join(LOADERS))
    parser.add_argument("--quick", action="store_true", help="default n-grams only, 128 perms")
    parser.add_argument(
        "--render", action="store_true", help="only redraw plots and text from results.json"
    )
    args = parser.parse_args()
    if args.render:
        render(load_results(args.out / "results.json"), args.out)
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    overrides = dict(item.split("=", 1) for item in args.set)
    defaults = Options().with_(**{k: _value(v) for k, v in overrides.items()})
    args.out.mkdir(parents=True, exist_ok=True)
    records = []
    for name in args.datasets.split(","):
        ds = LOADERS[name]()
        grid = [_n_of(defaults, ds.script)] if args.quick else GRIDS[ds.script]
        perms = [defaults.num_perm] if args.quick else PERMS
        records.append(run_dataset(ds, defaults, grid, perms, args.out))
        del ds
    results = {"options": defaults.to_dict(), "sweep": SWEEP, "datasets": records}
    (args.out / "results.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    render(results, args.out)
    log.info("wrote %s", args.out)


if __name__ == "__main__":
    main()
