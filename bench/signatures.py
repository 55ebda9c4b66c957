"""Signature throughput on one core: dedup's fast path against datasketch and rensa, on the same
documents in one run (each method in its own process, pinned to one core; methods take turns
and the best of ``--rounds`` runs counts, since the machine may be shared).

    python -m bench.signatures [--input bench/out/zh-22k.jsonl] [--docs 3000]

``dedup-kernel`` signs the raw text like the peers do (no normalization); ``dedup-full`` adds
dedup's normalization (NFKC, OpenCC t2s, punctuation), which the peers do not do. The first
call of the compiled code is shown cold (empty numba cache: compiling) and warm (cache loaded).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.peers import envs
from bench.peers.corpus import generate

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "peers" / "tools" / "signature_methods.py"
METHODS = {
    "python-sets": None,
    "datasketch-sha1": "datasketch",
    "datasketch-xxh": "datasketch",
    "rensa": "rensa",
    "numpy-128": None,
    "dedup-kernel": None,
    "dedup-full": None,
}


def _run(method: str, corpus: Path, env_extra: dict[str, str] | None = None) -> dict[str, float]:
    venv = METHODS[method]
    python = str(envs.python(venv)) if venv else sys.executable
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env_extra or {})}
    out = subprocess.run(
        [python, str(SCRIPT), "--method", method, "--input", str(corpus)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _first_call(cache: str | None) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if cache is not None:
        env["NUMBA_CACHE_DIR"] = cache
    code = (
        "import time; t=time.perf_counter(); from dedup.sketch import sketch_batch; "
        "from dedup.options import Options; sketch_batch(['中文 text'], Options()); "
        "print(time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--input", type=Path, default=ROOT / "bench" / "out" / "zh-22k.jsonl")
    parser.add_argument("--docs", type=int, default=3000)
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--rounds", type=int, default=3, help="best of this many runs each")
    args = parser.parse_args()
    if not args.input.exists():
        generate(args.input, 22_000)
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "sample.jsonl"
        with args.input.open(encoding="utf-8") as src, sample.open("w", encoding="utf-8") as dst:
            for n, line in enumerate(src):
                if n >= args.docs:
                    break
                dst.write(line)
        rows: dict[str, dict[str, float]] = {}
        methods = [m for m in args.methods.split(",") if not METHODS[m] or envs.ready(METHODS[m])]
        for _ in range(args.rounds):  # methods take turns, so a busy spell hits them all
            for method in methods:
                row = _run(method, sample)
                if method not in rows or row["seconds"] < rows[method]["seconds"]:
                    rows[method] = row
                print(json.dumps(row), flush=True)
        cold = _first_call(str(Path(tmp) / "numba-cache"))
        warm = _first_call(None)
    mb = next(iter(rows.values()))["mb"] if rows else 0.0
    print(f"\n{args.docs} documents, {mb:.1f} MB of UTF-8, one core, 128 permutations, 5-grams")
    print("| method | seconds | MB/s | x datasketch-sha1 | x rensa |")
    print("|---|---|---|---|---|")
    speed = {m: r["mb"] / r["seconds"] for m, r in rows.items()}
    for m, s in speed.items():
        vs_ds = s / speed["datasketch-sha1"] if "datasketch-sha1" in speed else float("nan")
        vs_rensa = s / speed["rensa"] if "rensa" in speed else float("nan")
        print(f"| {m} | {rows[m]['seconds']:.2f} | {s:.1f} | {vs_ds:.1f} | {vs_rensa:.1f} |")
    print(f"\nfirst call of the compiled path: {cold:.1f} s cold (compiling), {warm:.1f} s warm")
    print(time.strftime("measured %Y-%m-%d %H:%M"), f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
