"""Interrupted runs: real signals sent to a real ``dedupe`` process at several points.

Guards against: a report file cut short under its final name (the naive ``open(path, "w")``
writer leaves one when killed mid-write), Ctrl-C ending in a traceback instead of exit 130
and a message saying what was and was not written, SIGTERM doing the same with exit 143,
temporary files of a killed run staying behind after the next run, and a re-run failing or
giving different reports after an interruption. ``dedupe index add`` is held to the same.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli import main
from dedup.index import Index
from dedup.report.outdir import MARKER

FUZZ = os.environ.get("DEDUP_FUZZ_PROFILE") == "fuzz"
LEFTOVER = re.compile(r"\..+\.[A-Za-z0-9_]+\.tmp")
TIMEOUT = 240.0


def _paragraph(rng: random.Random) -> str:
    chars = [chr(0x4E00 + rng.randrange(3000)) for _ in range(rng.randrange(30, 60))]
    return "".join(chars) + "。"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 clusters of 4 near-duplicates each: enough report files for a signal to land among."""
    rng = random.Random(7)
    lines = []
    for c in range(60):
        base = [_paragraph(rng) for _ in range(6)]
        for v in range(4):
            paras = list(base)
            paras[v] = paras[v][:10] + "改动" + paras[v][12:]
            if v == 3:
                paras.insert(2, _paragraph(rng))
            lines.append(json.dumps({"id": f"c{c:02d}-v{v}", "text": "\n".join(paras)}) + "\n")
    path = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _snapshot(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not LEFTOVER.fullmatch(p.name)
    }


def _leftovers(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if LEFTOVER.fullmatch(p.name)] if out.exists() else []


def _run_in_process(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def reference(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("reference") / "out"
    _run_in_process(["run", str(corpus), "--out", str(out), "--quiet", "--workers", "1"])
    snap = _snapshot(out)
    assert sum(name.startswith("diffs/") for name in snap) == 60
    return snap


def _wait_for(condition: Callable[[], bool], proc: subprocess.Popen[bytes]) -> bool:
    """Poll until ``condition`` holds; False when the process ended first."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if condition():
            return True
        if proc.poll() is not None:
            return condition()
        time.sleep(0.003)
    raise AssertionError("timed out waiting for the process")


def _start(args: list[str], stderr: Path) -> subprocess.Popen[bytes]:
    code = "import sys; from dedup.cli import main; sys.exit(main())"
    with open(stderr, "wb") as err:
        return subprocess.Popen(
            [sys.executable, "-c", code, "-v", *args],
            stdout=subprocess.DEVNULL,
            stderr=err,
            stdin=subprocess.DEVNULL,
        )


def _listed(stderr: str, heading: str) -> set[str]:
    """The paths listed under ``heading`` in the interruption message."""
    found: set[str] = set()
    lines = stderr.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(heading):
            for item in lines[i + 1 :]:
                if not item.startswith("  ") or item.startswith("  ... and"):
                    break
                found.add(item.strip())
    return found


def _interrupt_run(
    corpus: Path, tmp_path: Path, sig: signal.Signals, when: str, delay: float = 0.0
) -> tuple[Path, int, str]:
    out = tmp_path / "out"
    err = tmp_path / "stderr.txt"
    proc = _start(["run", str(corpus), "--out", str(out), "--workers", "1"], err)
    try:
        if when == "reading":
            reached = _wait_for(lambda: b"reading" in err.read_bytes(), proc)
        else:
            reached = _wait_for(lambda: (out / "clusters.jsonl").exists(), proc)
        assert reached, f"the run ended before it was {when}: {err.read_text()}"
        time.sleep(delay)
        proc.send_signal(sig)
        code = proc.wait(TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return out, code, err.read_text(encoding="utf-8", errors="replace")


def _check_whole(out: Path, reference: dict[str, bytes]) -> dict[str, bytes]:
    """Every file under a final name is exactly what a complete run writes there; a run
    that left summary.json (written last) left every other file too; the folder is marked
    as ours from the first file on, so a rerun may replace what the run wrote."""
    snap = _snapshot(out) if out.exists() else {}
    if "summary.json" in snap:
        assert snap == reference, "summary.json written before the rest"
    if snap:
        assert json.loads(snap[MARKER])["written_by"] == "dedupe run"
    for name, data in snap.items():
        if name == MARKER:
            continue
        assert name in reference, f"unexpected file {name}"
        assert data == reference[name], f"{name} is half-written"
    return snap


def _check_rerun(corpus: Path, out: Path, reference: dict[str, bytes]) -> None:
    _run_in_process(["run", str(corpus), "--out", str(out), "--quiet", "--workers", "1"])
    assert _snapshot(out) == reference
    assert _leftovers(out) == []


SIGNALS = [
    pytest.param(signal.SIGINT, 130, id="SIGINT"),
    pytest.param(signal.SIGTERM, 143, id="SIGTERM"),
]


@pytest.mark.parametrize(("sig", "code"), SIGNALS if FUZZ else SIGNALS[:1])
def test_a_signal_while_reading_writes_nothing(
    corpus: Path, reference: dict[str, bytes], tmp_path: Path, sig: signal.Signals, code: int
) -> None:
    out, got, stderr = _interrupt_run(corpus, tmp_path, sig, "reading")
    assert got == code, stderr
    assert f"Interrupted ({sig.name})." in stderr
    assert "Traceback" not in stderr
    snap = _check_whole(out, reference)
    if "Nothing was written." in stderr:
        assert snap == {}
    assert _leftovers(out) == []
    _check_rerun(corpus, out, reference)


@pytest.mark.parametrize(
    ("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"]
)
def test_a_signal_while_writing_says_what_was_written(
    corpus: Path, reference: dict[str, bytes], tmp_path: Path, sig: signal.Signals, code: int
) -> None:
    out, got, stderr = _interrupt_run(corpus, tmp_path, sig, "writing")
    assert got == code, stderr
    assert f"Interrupted ({sig.name})." in stderr and "Traceback" not in stderr
    snap = _check_whole(out, reference)
    assert "summary.json" not in snap, "an interrupted run left summary.json"
    written = _listed(stderr, "Written completely")
    not_written = _listed(stderr, "Not written")
    assert str(out / "clusters.jsonl") in written
    count = re.search(r"Written completely \((\d+) files\)", stderr)
    assert count is not None and int(count.group(1)) == len(snap)
    assert {str(out / name) for name in snap} >= written
    assert not {str(out / name) for name in snap} & not_written
    assert _leftovers(out) == []  # a caught signal removes the temporary file it was writing
    _check_rerun(corpus, out, reference)


KILL_POINTS = 6 if FUZZ else 2


@pytest.mark.parametrize("seed", range(KILL_POINTS))
def test_sigkill_at_a_random_point_leaves_only_whole_files(
    corpus: Path, reference: dict[str, bytes], tmp_path: Path, seed: int
) -> None:
    delay = random.Random(seed).uniform(0.0, 0.4)
    out, got, _ = _interrupt_run(corpus, tmp_path, signal.SIGKILL, "writing", delay)
    assert got in (-signal.SIGKILL, 0)
    _check_whole(out, reference)
    _check_rerun(corpus, out, reference)  # also removes the temporary files of the killed run


def test_rerun_removes_only_leftovers_of_earlier_runs(tmp_path: Path) -> None:
    """A killed writer's ``.NAME.RANDOM.tmp`` goes; files that merely look alike stay."""
    from dedup.report.files import remove_leftovers

    out = tmp_path
    old = out / ".summary.json.k2j3h4.tmp"
    keep = [out / "notes.tmp", out / ".hidden", out / "summary.json"]
    for path in [old, *keep]:
        path.write_text("x", encoding="utf-8")
    os.utime(old, (time.time() - 60, time.time() - 60))
    fresh = out / ".pairs.jsonl.abc123.tmp"  # a writer of this run: newer than the cut-off
    fresh.write_text("x", encoding="utf-8")
    assert remove_leftovers(out, older_than=time.time() - 30) == [old]
    assert all(p.exists() for p in [*keep, fresh])


# --- dedupe index ------------------------------------------------------------------------------


def _interrupt_index_add(
    corpus: Path, tmp_path: Path, sig: signal.Signals
) -> tuple[Path, int, str]:
    target = tmp_path / "corpus.index"
    err = tmp_path / "stderr.txt"
    proc = _start(["index", "add", str(target), str(corpus)], err)
    try:
        assert _wait_for(lambda: target.exists() and target.stat().st_size > 0, proc)
        time.sleep(0.2)
        proc.send_signal(sig)
        got = proc.wait(TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return target, got, err.read_text(encoding="utf-8", errors="replace")


@pytest.mark.parametrize(
    "sig",
    [signal.SIGINT, signal.SIGTERM, signal.SIGKILL] if FUZZ else [signal.SIGKILL],
    ids=lambda s: s.name,
)
def test_index_add_interrupted_keeps_a_working_index(
    corpus: Path, tmp_path: Path, sig: signal.Signals
) -> None:
    target, _, _ = _interrupt_index_add(corpus, tmp_path, sig)
    with Index.open(str(target), create=False) as index:
        assert len(index) < 240
    result = CliRunner().invoke(main, ["index", "add", str(target), str(corpus), "--quiet"])
    assert result.exit_code == 0, result.output
    with Index.open(str(target), create=False) as index:
        assert len(index) == 240


@pytest.mark.parametrize(
    ("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"]
)
def test_index_add_interrupted_exits_with_the_signal_code_and_says_so(
    corpus: Path, tmp_path: Path, sig: signal.Signals, code: int
) -> None:
    _, got, stderr = _interrupt_index_add(corpus, tmp_path, sig)
    assert got == code, stderr
    assert f"Interrupted ({sig.name})." in stderr and "Traceback" not in stderr


def test_forked_workers_get_the_default_sigterm_back() -> None:
    """A pool stops its workers with SIGTERM; a worker blocked in C code never runs a Python
    handler, so an inherited one would leave the pool (and the run) waiting forever."""
    from dedup.cli.common import interruptible

    @interruptible()
    def fork_and_look() -> int:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            os._exit(0 if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL else 1)
        return os.waitpid(pid, 0)[1]

    before = signal.getsignal(signal.SIGTERM)
    assert fork_and_look() == 0
    assert signal.getsignal(signal.SIGTERM) is before  # the command's handler is removed again


def test_a_worker_terminated_right_after_fork_still_dies() -> None:
    """CPython drops a signal caught between fork and the child's reset; SIGTERM is blocked
    across fork so that a pool terminating a worker it has just started does not wait forever."""
    from dedup.cli.common import interruptible

    @interruptible()
    def fork_and_terminate(times: int) -> list[int]:
        codes = []
        for _ in range(times):
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child
                time.sleep(30)
                os._exit(0)
            os.kill(pid, signal.SIGTERM)
            codes.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
        return codes

    assert set(fork_and_terminate(50)) == {-signal.SIGTERM}
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == set()
