"""Every command's ``--help``: light to import, with examples that parse; renamed flags.

The import test is click's ``tests/test_imports.py`` pattern: a fresh interpreter imports the
command line (and asks every command for its help) and reports which heavy modules came in.
No timings here; they belong to bench/.
"""

from __future__ import annotations

import inspect
import json
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from dedup.cli import main

HEAVY = (
    "charset_normalizer",
    "datasketch",
    "jinja2",
    "llvmlite",
    "matplotlib",
    "numba",
    "numpy",
    "opencc",
    "pandas",
    "pyarrow",
    "pyspark",
    "rapidfuzz",
    "redis",
    "tqdm",
)
"""Imported by commands when they run, never by ``dedupe --help``."""


def _walk(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            yield from _walk(command.commands[name], (*path, name))


COMMANDS = list(_walk(main))


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


def _invoke(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def _heavy_modules_after(code: str) -> list[str]:
    """The heavy modules loaded in a fresh interpreter after running ``code``."""
    script = (
        "import contextlib, io, json, sys\n"
        f"{code}\n"
        f"heavy = {HEAVY!r}\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & set(heavy))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    loaded: list[str] = json.loads(done.stdout.splitlines()[-1])
    return loaded


def test_the_walk_finds_every_command() -> None:
    assert COMMANDS == [
        (),
        ("diff",),
        ("eval",),
        ("index",),
        ("index", "add"),
        ("index", "query"),
        ("index", "remove"),
        ("index", "stats"),
        ("merge",),
        ("run",),
        ("spark",),
    ]


def test_importing_the_command_line_imports_nothing_heavy() -> None:
    assert _heavy_modules_after("import dedup.cli") == []


def test_help_and_version_import_nothing_heavy() -> None:
    runs = [[*path, "--help"] for path in COMMANDS] + [["--version"]]
    code = (
        "from dedup.cli import main\n"
        f"for args in {runs!r}:\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        assert main.main(args, 'dedupe', standalone_mode=False) in (None, 0), args\n"
    )
    assert _heavy_modules_after(code) == []


def _examples(path: tuple[str, ...]) -> list[str]:
    """The example invocations in the help of the command at ``path``, continued lines joined."""
    lines = inspect.cleandoc(_command(path).help or "").splitlines()
    if "Examples:" not in lines:
        return []
    examples: list[str] = []
    for line in lines[lines.index("Examples:") + 1 :]:
        if not line.startswith("  "):
            break
        if line.startswith("    ") and examples:  # the rest of an example ending in \\
            examples[-1] = examples[-1].rstrip("\\").rstrip() + " " + line.strip()
        else:
            examples.append(line.strip())
    return examples


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(("dedupe", *p)))
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    code, out, _ = _invoke(*path, "--help")
    assert code == 0
    assert "\n  Examples:\n    dedupe " in out  # a paragraph of its own, not rewrapped
    prefix = " ".join(("dedupe", *path, ""))
    assert any(e.startswith(prefix) for e in _examples(path)), f"no example of {prefix}"


EXAMPLES = sorted({e for path in COMMANDS for e in _examples(path) if e.startswith("dedupe ")})
HIDDEN = {
    name
    for path in COMMANDS
    for param in _command(path).params
    if isinstance(param, click.Option) and param.hidden
    for name in param.opts
}


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_names_real_commands_and_flags(example: str) -> None:
    """An example with --help appended parses its subcommands and flags and exits 0, so an
    example naming an unknown command or flag fails (exit 2); none uses a deprecated flag."""
    words = shlex.split(example)
    for stop in (">", "|"):
        words = words[: words.index(stop)] if stop in words else words
    assert HIDDEN.isdisjoint(words)
    code, _, err = _invoke(*words[1:], "--help")
    assert code == 0, err


ONE_NAME_TWO_TYPES = {
    "--out": "a folder (run, eval), a file (merge) or a folder or URI (spark): where the output "
    "goes; click.Path cannot check a URI, so spark's is text",
}


def test_one_meaning_per_flag_name() -> None:
    """A visible flag name takes the same kind of value in every command (once, --html was a
    file in diff and a count in spark)."""
    kinds: dict[str, set[str]] = {}
    for path in COMMANDS:
        for param in _command(path).params:
            if isinstance(param, click.Option) and not param.hidden:
                kind = "switch" if param.is_flag or param.count else param.type.name
                for name in [*param.opts, *param.secondary_opts]:
                    kinds.setdefault(name, set()).add(kind)
    clashes = {name for name, kind in kinds.items() if len(kind) > 1}
    assert clashes == set(ONE_NAME_TWO_TYPES)


# --- renamed flags -----------------------------------------------------------------------------

RENAMED = [  # command and its arguments, old spelling, new spelling, a value
    pytest.param(("diff", "a.txt", "b.txt"), "--html", "--html-out", "p.html", id="diff --html"),
    pytest.param(("index", "query", "x.index", "q.txt"), "--k", "--top", "1", id="query --k"),
    pytest.param(("spark", "in/", "--out", "o/"), "--html", "--html-pages", "2", id="spark --html"),
]


def _warning(old: str, new: str) -> str:
    return f"warning: {old} is deprecated and goes in the next release; use {new}\n"


@pytest.mark.parametrize(("args", "old", "new", "value"), RENAMED)
def test_old_spellings_are_hidden(args: tuple[str, ...], old: str, new: str, value: str) -> None:
    path = max((p for p in COMMANDS if args[: len(p)] == p), key=len)
    _, out, _ = _invoke(*path, "--help")
    assert f" {new} " in out
    assert f" {old} " not in out and f" {old}," not in out


@pytest.mark.parametrize(("args", "old", "new", "value"), RENAMED)
def test_both_spellings_at_once_are_bad_usage(
    args: tuple[str, ...], old: str, new: str, value: str
) -> None:
    code, _, err = _invoke(*args, old, value, new, value)
    assert code == 2
    assert f"{old} is the old spelling of {new}: give {new} only" in err


@pytest.fixture()
def two_files(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("标题\n第一段，文字。\n第二段没有变。", encoding="utf-8")
    b.write_text("第一段，文字有改动。\n第二段没有变。", encoding="utf-8")
    return a, b


def test_diff_html_still_writes_the_page_and_warns(
    two_files: tuple[Path, Path], tmp_path: Path
) -> None:
    old, new = tmp_path / "old.html", tmp_path / "new.html"
    code, out, err = _invoke("diff", *two_files, "--html", old)
    assert (code, err) == (1, _warning("--html", "--html-out"))
    assert out.startswith("--- a.txt\n")
    assert _invoke("diff", *two_files, "--html-out", new) == (1, out, "")
    assert old.read_bytes() == new.read_bytes()


def test_index_query_k_still_limits_the_matches_and_warns(tmp_path: Path) -> None:
    docs = tmp_path / "docs.jsonl"
    docs.write_text(
        "".join(
            json.dumps({"id": f"d{i}", "text": "同一篇文章，两个来源，几乎一字不差。" * 3}) + "\n"
            for i in range(3)
        ),
        encoding="utf-8",
    )
    target = tmp_path / "news.index"
    assert _invoke("index", "add", target, docs, "-q")[0] == 0
    code, out, err = _invoke("index", "query", target, docs, "--k", "1")
    assert (code, err) == (0, _warning("--k", "--top"))
    assert [len(json.loads(line)["matches"]) for line in out.splitlines()] == [1, 1, 1]
    assert _invoke("index", "query", target, docs, "-k", "1") == (0, out, "")
    assert _invoke("index", "query", target, docs, "--top", "1") == (0, out, "")


def test_spark_html_still_sets_the_page_count_and_warns(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The Spark job itself is replaced: only the flag's way to ``write`` is checked here."""
    pytest.importorskip("pyspark")
    import dedup.cli.spark as cli_spark
    import dedup.spark

    asked: dict[str, Any] = {}

    class Result:
        timings: dict[str, float] = {}

    def write(result: Result, out: str, **kwargs: Any) -> dict[str, Any]:
        asked.update(kwargs)
        return {"documents": {"read": 0, "skipped": 0, "removed": 0}, "clusters": 0}

    monkeypatch.setattr(cli_spark, "_session", lambda *args: None)
    monkeypatch.setattr(dedup.spark, "read", lambda *args: None)
    monkeypatch.setattr(dedup.spark, "run", lambda *args: Result())
    monkeypatch.setattr(dedup.spark, "write", write)
    args = ("spark", tmp_path, "--out", tmp_path / "out", "-q")
    assert _invoke(*args, "--html", "2") == (0, "", _warning("--html", "--html-pages"))
    assert asked["html"] == 2
    assert _invoke(*args, "--html-pages", "3") == (0, "", "")
    assert asked["html"] == 3
