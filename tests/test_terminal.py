"""Every command as a person types it: the installed ``dedupe`` in a pseudo-terminal.

stdin, stdout and stderr are one terminal of 100x30, as in an interactive shell, so the
progress bars and colours are on. Each test checks the exit code, that no traceback reached
the screen, and what the screen shows.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from conftest import seed_path

DEDUPE = Path(sys.executable).with_name("dedupe")
TIMEOUT = 120.0


def _in_terminal(*args: str, cwd: Path | None = None) -> tuple[int, str]:
    """Run ``dedupe ARGS`` with a pseudo-terminal as its terminal; (exit code, screen bytes)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    env["TERM"] = "xterm-256color"
    proc = subprocess.Popen(
        [str(DEDUPE), *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=cwd,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + TIMEOUT
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError as exc:  # EIO: every writer of the terminal has closed it
                if exc.errno != errno.EIO:
                    raise
                break
            if not data:
                break
            chunks.append(data)
        code = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return code, b"".join(chunks).decode("utf-8", errors="replace")


def _plain(screen: str) -> str:
    """The screen without colour codes, each carriage-return redraw kept as its own line."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen).replace("\r\n", "\n").replace("\r", "\n")


def _no_trouble(screen: str) -> None:
    assert "Traceback" not in screen, screen
    assert "Error" not in screen, screen


@pytest.fixture(scope="module")
def index_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("terminal") / "seeds.index"


def test_run_shows_progress_and_a_closing_line(tmp_path: Path, seeds_dir: Path) -> None:
    out = tmp_path / "reports"
    code, screen = _in_terminal("run", str(seeds_dir), "--out", str(out))
    assert code == 0, screen
    _no_trouble(screen)
    lines = _plain(screen).splitlines()
    assert any(re.search(r"reading and signing 5 docs \[\d\d:\d\d, .* docs/s\]", x) for x in lines)
    assert any(re.search(r"aligning and writing .* 1/1 clusters \[\d\d:\d\d<", x) for x in lines)
    assert lines[-1] == f"5 documents read, 0 skipped, 1 cluster, 1 duplicate removed -> {out}/"
    assert (out / "summary.json").is_file()


def test_run_quiet_draws_nothing(tmp_path: Path, seeds_dir: Path) -> None:
    code, screen = _in_terminal("run", str(seeds_dir), "--out", str(tmp_path / "r"), "--quiet")
    assert code == 0
    assert screen == ""


def test_run_with_nothing_to_read_says_so_in_one_line(tmp_path: Path) -> None:
    code, screen = _in_terminal("run", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "o"))
    assert code == 1
    assert "Traceback" not in screen
    assert _plain(screen).strip().splitlines()[-1].startswith("Error: no document could be read")


def test_run_refuses_a_folder_it_did_not_write(tmp_path: Path, seeds_dir: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    code, screen = _in_terminal("run", str(seeds_dir), "--out", str(tmp_path))
    assert code == 2
    assert "Traceback" not in screen and "not written by dedupe run" in _plain(screen)


def test_diff_colours_the_edited_characters(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("今年春天，北京下了五场雨。\n\n第二段没有变化。\n", encoding="utf-8")
    b.write_text("今年春天，北京下了八场雨。\n\n第二段没有变化。\n", encoding="utf-8")
    code, screen = _in_terminal("diff", str(a), str(b))
    assert code == 1, screen  # they differ
    _no_trouble(screen)
    assert "\\x1b" not in screen  # no escape code printed as text
    # the edited character itself is wrapped in colour codes, on both sides
    assert re.search(r"\x1b\[[0-9;]*m五\x1b\[0m", screen), screen
    assert re.search(r"\x1b\[[0-9;]*m八\x1b\[0m", screen), screen
    assert "第二段没有变化" in screen


def test_diff_of_same_text_up_to_width_is_exit_0(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("第一段，文字。\n", encoding="utf-8")
    b.write_text("第一段,文字。\n", encoding="utf-8")
    code, screen = _in_terminal("diff", str(a), str(b))
    assert code == 0, screen
    _no_trouble(screen)


def test_merge_prints_the_canonical_text() -> None:
    code, screen = _in_terminal("merge", str(seed_path("000")), str(seed_path("001")))
    assert code == 0, screen
    _no_trouble(screen)
    assert "西藏自治区强化党建引领" in screen


def test_index_add_query_remove_stats(index_path: Path, seeds_dir: Path) -> None:
    code, screen = _in_terminal("index", "add", str(index_path), str(seeds_dir))
    assert code == 0, screen
    _no_trouble(screen)
    plain = _plain(screen)
    assert re.search(r"indexing 5 docs \[\d\d:\d\d", plain), plain
    assert plain.splitlines()[-1] == f"5 documents added, 0 skipped; 5 documents in {index_path}"

    code, screen = _in_terminal("index", "query", str(index_path), str(seed_path("001")))
    assert code == 0, screen
    _no_trouble(screen)
    (line,) = [x for x in _plain(screen).splitlines() if x.startswith("{")]
    found = json.loads(line)
    assert [m["id"] for m in found["matches"]] == [seed_path("001").name, seed_path("000").name]

    code, screen = _in_terminal("index", "stats", str(index_path))
    assert code == 0, screen
    assert json.loads(_plain(screen))["documents"] == 5

    code, screen = _in_terminal("index", "remove", str(index_path), seed_path("004").name)
    assert code == 0, screen
    _no_trouble(screen)
    assert _plain(screen).strip() == f"1 documents removed; 4 documents in {index_path}"


def test_eval_prints_its_table(tmp_path: Path, seeds_dir: Path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(seeds_dir, docs)
    truth = tmp_path / "truth.json"
    truth.write_text(json.dumps([[seed_path("000").name, seed_path("001").name]]))
    code, screen = _in_terminal("eval", str(docs), "--truth", str(truth))
    assert code == 0, screen
    _no_trouble(screen)
    assert "5 documents scored, 1 labelled groups, 0 false positive and 0 false negative pairs" in (
        _plain(screen)
    )


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["run", "--help"],
        ["diff", "--help"],
        ["merge", "--help"],
        ["index", "--help"],
        ["index", "add", "--help"],
        ["index", "query", "--help"],
        ["eval", "--help"],
        ["spark", "--help"],
    ],
    ids=" ".join,
)
def test_help_in_a_terminal(args: list[str]) -> None:
    code, screen = _in_terminal(*args)
    assert code == 0, screen
    _no_trouble(screen)
    assert screen.lstrip().startswith("Usage: dedupe"), screen
    assert "Example" in screen, screen


def test_version_in_a_terminal() -> None:
    code, screen = _in_terminal("--version")
    assert code == 0
    assert re.fullmatch(r"dedupe, version \d+\.\d+\.\d+\S*\r?\n", screen), screen
