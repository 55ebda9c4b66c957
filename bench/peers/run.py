"""Run dedup and its peers side by side on one corpus and print one table.

    python -m bench.peers.run --docs 22000            # generate a corpus, run every tool
    python -m bench.peers.run --corpus tang           # tang-poems.jsonl.gz (no labels)
    python -m bench.peers.run --corpus newsgroups     # newsgroups.jsonl.gz (cross-posts)
    python -m bench.peers.run --input X.jsonl --truth X.truth.json --tools dedupe,rensa
    python -m bench.peers.run ... --repeat 2           # each tool's fastest of 2 rounds

Each peer runs in its own pinned virtualenv (``python -m bench.peers.envs`` creates them) as a
separate process: wall time includes starting the interpreter and reading the corpus, peak RSS
is the largest sum over the process tree (sampled every 50 ms). Every tool gets the same
threshold, permutations and shingle size as far as it allows (see ``TOOLS``). Scores are
pairwise precision, recall, F1 and the adjusted Rand index of the clusters against the labels.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import DATA

from . import envs
from .corpus import generate

HERE = Path(__file__).resolve().parent
TOOLS_DIR = HERE / "tools"
ROOT = HERE.parent.parent


@dataclass(frozen=True)
class Tool:
    name: str
    env: str | None  # peer virtualenv, or None for dedup's own
    script: str
    variant: str = ""
    note: str = ""


TOOLS = {
    "dedupe": Tool("dedupe", None, "dedupe_peer.py", note="NFKC+t2s normalization, 2 workers"),
    "datasketch": Tool("datasketch", "datasketch", "datasketch_peer.py", "sha1"),
    "datasketch-xxh": Tool("datasketch-xxh", "datasketch", "datasketch_peer.py", "xxhash"),
    "rensa": Tool("rensa", "rensa", "rensa_peer.py", "16", note="16 bands of 8"),
    "text-dedup": Tool(
        "text-dedup", "text-dedup", "textdedup_peer.py", "cjk", note="n-grams of clauses, n=1"
    ),
    "datatrove": Tool(
        "datatrove", "datatrove", "datatrove_peer.py", "cmn_Hani", note="jieba words, 16x8"
    ),
    "datatrove-zh": Tool(
        "datatrove-zh", "datatrove", "datatrove_peer.py", "zh", note="'zh' tokenizer, 16x8"
    ),
    "data-juicer": Tool(
        "data-juicer", "data-juicer", "datajuicer_peer.py", "character", note="character 5-grams"
    ),
}


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (Linux /proc)."""
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/statm") as handle:
                total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as handle:
                    stack.extend(int(c) for c in handle.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def measure(command: list[str], env: dict[str, str], timeout: float) -> tuple[float, int, int, str]:
    """Run ``command``; return (wall seconds, peak tree RSS bytes, exit code, stderr tail)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, so a timeout ends its workers too
    )
    peak = 0
    done = threading.Event()

    def poll() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.05)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        _, err = proc.communicate()
        err += f"timed out after {timeout:.0f} s".encode()
    seconds = time.perf_counter() - started
    done.set()
    thread.join()
    tail = err.decode("utf-8", "replace").strip().splitlines()[-3:]
    return seconds, peak, proc.returncode, " | ".join(tail)


def run_tool(
    tool: Tool, corpus: Path, out: Path, settings: dict[str, object], timeout: float
) -> dict[str, object]:
    python = str(envs.python(tool.env)) if tool.env else sys.executable
    work = out / f"work-{tool.name}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    result_path = out / f"clusters-{tool.name}.json"
    result_path.unlink(missing_ok=True)
    command = [
        python,
        str(TOOLS_DIR / tool.script),
        "--input",
        str(corpus),
        "--out",
        str(result_path),
        "--work",
        str(work),
        "--variant",
        tool.variant,
        *(f"--{k.replace('_', '-')}={v}" for k, v in settings.items()),
    ]
    env = {
        **os.environ,
        "PYTHONPATH": f"{TOOLS_DIR}:{ROOT}" if tool.env is None else str(TOOLS_DIR),
        "HF_DATASETS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    seconds, peak, code, err = measure(command, env, timeout)
    shutil.rmtree(work, ignore_errors=True)
    row: dict[str, object] = {"tool": tool.name, "seconds": seconds, "rss": peak, "code": code}
    if code != 0 or not result_path.exists():
        row["error"] = err or f"exit code {code}"
        return row
    data = json.loads(result_path.read_text(encoding="utf-8"))
    row["clusters"] = data["clusters"]
    row["inner_seconds"] = data.get("seconds")
    row["extra"] = {k: v for k, v in data.items() if k not in ("clusters", "seconds")}
    return row


def _better(kept: dict[str, object] | None, row: dict[str, object]) -> dict[str, object]:
    """The faster of two runs of one tool (a failed run loses), with the larger peak RSS."""
    if kept is None or "error" in kept:
        return row
    if "error" in row:
        return kept
    seconds = {id(r): float(str(r["seconds"])) for r in (kept, row)}
    faster, other = (row, kept) if seconds[id(row)] < seconds[id(kept)] else (kept, row)
    return {**faster, "rss": max(int(str(faster["rss"])), int(str(other["rss"])))}


def _score(clusters: list[list[str]], truth: list[list[str]], ids: list[str]) -> dict[str, float]:
    from dedup.metrics import pairwise_scores

    s = pairwise_scores(clusters, truth, ids)
    return {"precision": s.precision, "recall": s.recall, "f1": s.f1, "ari": s.ari}


def table(rows: list[dict[str, object]], docs: int, megabytes: float, labelled: bool) -> str:
    """The comparison as a Markdown table, with ratios to dedupe."""
    base = next((r for r in rows if r["tool"] == "dedupe" and "error" not in r), None)
    head = "| tool | wall s | docs/s | MB/s | peak RSS MB | clusters |"
    head += " precision | recall | F1 | ARI |" if labelled else ""
    head += " time / dedupe |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['tool']} | failed: {str(r['error'])[:160]} |")
            continue
        seconds = float(r["seconds"])  # type: ignore[arg-type]
        line = (
            f"| {r['tool']} | {seconds:.1f} | {docs / seconds:,.0f} | {megabytes / seconds:.1f} "
            f"| {int(r['rss']) / 2**20:,.0f} | {len(r['clusters']):,} |"  # type: ignore[arg-type]
        )
        if labelled:
            s = r["scores"]
            line += (
                f" {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | "  # type: ignore[index]
                f"{s['ari']:.3f} |"  # type: ignore[index]
            )
        ratio = seconds / float(base["seconds"]) if base else float("nan")  # type: ignore[arg-type]
        lines.append(line + f" {ratio:.1f}x |")
    return "\n".join(lines)


def _prepare(args: argparse.Namespace, out: Path) -> tuple[Path, list[list[str]] | None]:
    if args.input:
        truth = json.loads(Path(args.truth).read_text())["groups"] if args.truth else None
        return Path(args.input), truth
    if args.corpus == "generated":
        path = out / f"zh-{args.docs}.jsonl"
        if not path.exists():
            generate(path, args.docs, args.chars, seed=args.seed)
        return path, json.loads(path.with_suffix(".truth.json").read_text())["groups"]
    source = DATA / f"{'tang-poems' if args.corpus == 'tang' else 'newsgroups'}.jsonl.gz"
    path = out / f"{args.corpus}.jsonl"
    if not path.exists():
        with gzip.open(source, "rt", encoding="utf-8") as src, path.open("w") as dst:
            for line in src:
                record = json.loads(line)
                dst.write(json.dumps({"id": record["id"], "text": record["text"]}) + "\n")
    if args.corpus == "newsgroups":
        truth = json.loads((DATA / "newsgroups-truth.json").read_text())["groups"]
        return path, truth
    return path, None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--corpus", choices=["generated", "tang", "newsgroups"], default="generated"
    )
    parser.add_argument("--docs", type=int, default=22_000)
    parser.add_argument("--chars", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--input", help="an existing JSON lines corpus (id, text)")
    parser.add_argument("--truth", help="its labels: {'groups': [[id, ...], ...]}")
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--threshold", type=float, default=0.7)
    parser.add_argument("--num-perm", type=int, default=128)
    parser.add_argument("--ngram", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--language", choices=["zh", "en"], default=None)
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds; each tool's fastest run is reported"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "peers")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    corpus, truth = _prepare(args, args.out)
    ids = [json.loads(line)["id"] for line in corpus.open(encoding="utf-8")]
    megabytes = corpus.stat().st_size / 1e6
    language = args.language or ("en" if args.corpus == "newsgroups" else "zh")
    settings = {
        "language": language,
        "threshold": args.threshold,
        "num_perm": args.num_perm,
        "ngram": args.ngram,
        "workers": args.workers,
    }
    print(f"corpus {corpus}: {len(ids):,} documents, {megabytes:.1f} MB; {settings}", flush=True)
    best: dict[str, dict[str, object]] = {}
    names = args.tools.split(",")
    for round_ in range(1, args.repeat + 1):  # every tool once per round: noise spreads evenly
        for name in names:
            tool = TOOLS[name]
            if tool.env and not envs.ready(tool.env):
                best[name] = {"tool": name, "error": "no environment: python -m bench.peers.envs"}
                continue
            row = run_tool(tool, corpus, args.out, settings, args.timeout)
            if "error" not in row and truth is not None:
                row["scores"] = _score(row["clusters"], truth, ids)  # type: ignore[arg-type]
            brief = {k: v for k, v in row.items() if k not in ("clusters",)}
            print(json.dumps({"round": round_, **brief}, default=str), flush=True)
            best[name] = _better(best.get(name), row)
    rows = [best[name] for name in names]
    report = table(rows, len(ids), megabytes, truth is not None)
    print(report)
    name = corpus.stem
    (args.out / f"table-{name}.md").write_text(report + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
