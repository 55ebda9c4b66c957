"""Nothing from the data acts on a terminal, every JSON output is RFC 8259 JSON, errors are clear.

Hostile data (ids, texts, file names with escape sequences, bells, C1 controls, bidi overrides,
NaN metadata) goes through every command, by click's CliRunner and in a real pseudo-terminal;
malformed Redis URLs and an index on a read-only file system (a tmpfs mounted read-only, when
this process may mount one) give one clear ``Error:`` line.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from test_terminal import _in_terminal

from dedup.cli import main
from dedup.cli.output import json_dumps
from dedup.index import Index
from dedup.report.text import visible, visible_id

NAN = float("nan")
TEXT = (
    "第一段，很长的文字，讲了一个关于山和水的故事。\x1b[2J\x07\u202e\n\n"
    "第二段：山很高，水很长，人们住在山脚下。\x85\u2066"
)
EVIL_IDS = ["中文\x1b]0;pwned\x07", "中文\u202egpj.exe", "中文\x9b31m\u2066\u200e\u2028"]

# Written independently of dedup.textsafe: what must never reach a terminal raw. JSON output
# may hold newlines (indent) but nothing else of these.
RAW_UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def _no_constants(name: str) -> Any:
    raise AssertionError(f"{name} is not JSON (RFC 8259)")


def strict_json(text: str) -> Any:
    """``text`` parsed as RFC 8259 JSON (no NaN/Infinity) after checking it is terminal-safe."""
    found = RAW_UNSAFE.search(text)
    assert found is None, f"raw U+{ord(found.group()):04X} in {text!r}"
    return json.loads(text, parse_constant=_no_constants)


def strict_json_lines(text: str) -> list[Any]:
    return [strict_json(line) for line in text.splitlines()]


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    lines = (json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    path.write_text("".join(lines), encoding="utf-8")
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """Three versions of one text under hostile ids, and a record without a text (skipped)."""
    records: list[dict[str, Any]] = [
        {"id": EVIL_IDS[0], "text": TEXT, "story": 1},
        {"id": EVIL_IDS[1], "text": TEXT.replace("。", "！"), "story": 1},
        {"id": EVIL_IDS[2], "text": TEXT.replace("山", "川"), "story": 1},
        {"id": "no-text\u202e\x1b[1m"},
    ]
    return write_jsonl(tmp_path / "hostile.jsonl", records)


# -- the JSON writer -------------------------------------------------------------------------


def _as_parsed(value: Any) -> Any:
    """What ``json_dumps`` promises a reader gets back: non-finite numbers as ``None``."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _as_parsed(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_as_parsed(v) for v in value]
    return value


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(_JSON_VALUES, st.sampled_from([None, 2]))
def test_json_dumps_is_strict_terminal_safe_json_of_the_same_data(value: Any, indent: Any) -> None:
    assert strict_json(json_dumps(value, indent=indent)) == _as_parsed(value)


def test_json_dumps_escapes_what_acts_on_a_terminal_and_keeps_chinese_readable() -> None:
    data = {"id": "a\x1b[2J\x07\u202eb", "c1": "\x85\x9b", "sep": "\u2028", "title": "中文标题"}
    data |= {"nan": NAN, "inf": [math.inf, -math.inf, 1.5]}
    shown = json_dumps(data)
    assert shown == (
        '{"id": "a\\u001b[2J\\u0007\\u202eb", "c1": "\\u0085\\u009b", "sep": "\\u2028", '
        '"title": "中文标题", "nan": null, "inf": [null, null, 1.5]}'
    )


@pytest.mark.parametrize(
    "char", ["\u200e", "\u200f", "\u061c", "\u202e", "\u2069", "\x9b", "\udcff"]
)
def test_visible_escapes_bidi_marks_c1_and_lone_surrogates(char: str) -> None:
    code = f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
    assert visible(f"a{char}b") == visible_id(f"a{char}b") == f"a{code}b"


# -- every JSON output of every command ------------------------------------------------------


def test_run_json_is_strict_and_escaped(tmp_path: Path, hostile: Path) -> None:
    code, out, _ = invoke("run", str(hostile), "--out", str(tmp_path / "out"), "--json", "-q")
    assert code == 0
    summary = strict_json(out)
    assert summary["skipped"][0]["id"] == "no-text\u202e\x1b[1m"
    assert "no-text\\u202e\\u001b[1m" in out


def test_merge_json_is_strict_and_escaped(hostile: Path, tmp_path: Path) -> None:
    versions = write_jsonl(
        tmp_path / "versions.jsonl",
        [{"id": i, "text": TEXT.replace("。", p)} for i, p in zip(EVIL_IDS, "。！？", strict=True)],
    )
    code, out, _ = invoke("merge", str(versions), "--json")
    assert code == 0
    merged = strict_json(out)
    assert merged["members"] == EVIL_IDS and "第一段" in out


def test_diff_json_is_strict_and_escaped(tmp_path: Path) -> None:
    a = tmp_path / "a\u202e.txt"
    b = tmp_path / "b\x1b[2J.txt"
    a.write_text(TEXT, encoding="utf-8")
    b.write_text(TEXT.replace("山", "川"), encoding="utf-8")
    code, out, _ = invoke("diff", str(a), str(b), "--format", "json")
    assert code == 1  # they differ
    alignment = strict_json(out)
    assert alignment["a_id"] == "a\u202e.txt" and "川" in out


def test_eval_json_is_strict_whatever_reaches_it(
    hostile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dedup.eval.report

    monkeypatch.setattr(
        dedup.eval.report,
        "evaluation_record",
        lambda ev, timings=False: {"ari": NAN, "ids": EVIL_IDS, "best": [math.inf]},
    )
    code, out, _ = invoke("eval", str(hostile), "--truth-field", "story", "--json", "-q")
    assert code == 0
    assert strict_json(out) == {"ari": None, "ids": EVIL_IDS, "best": [None]}


def test_spark_json_is_strict_whatever_reaches_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pyspark")
    import dedup.cli.spark
    import dedup.spark

    class Result:
        timings: dict[str, float] = {}

    found = {"documents": {"read": 1}, "clusters": 0, "note": EVIL_IDS[1], "rate": NAN}
    monkeypatch.setattr(dedup.cli.spark, "_session", lambda *args: object())
    monkeypatch.setattr(dedup.spark, "read", lambda *args: None)
    monkeypatch.setattr(dedup.spark, "run", lambda *args: Result())
    monkeypatch.setattr(dedup.spark, "write", lambda *args, **kwargs: found)
    code, out, _ = invoke("spark", "in.jsonl", "--out", str(tmp_path / "o"), "--json")
    assert code == 0
    assert strict_json(out) == {**found, "rate": None}


def test_index_query_with_nan_metadata_is_strict_json(tmp_path: Path, hostile: Path) -> None:
    target = tmp_path / "news.index"
    with Index.open(target) as index:  # through the library: whatever readers make of NaN
        index.add(EVIL_IDS[0], TEXT, {"score": NAN, "note": "中文\u202e", "big": -math.inf})
    code, out, _ = invoke("index", "query", str(target), str(hostile), "--explain", "-q")
    assert code == 0
    (first, *_) = lines = strict_json_lines(out)
    assert len(lines) == 3
    assert first["id"] == EVIL_IDS[0]
    assert first["matches"][0]["meta"] == {"score": None, "note": "中文\u202e", "big": None}
    assert '"note": "中文\\u202e"' in out


def test_index_stats_is_strict_json(tmp_path: Path, hostile: Path) -> None:
    target = tmp_path / "news\u202e\x1b[2J.index"
    assert invoke("index", "add", str(target), str(hostile), "-q")[0] == 0
    code, out, _ = invoke("index", "stats", str(target), "--verify")
    assert code == 0
    stats = strict_json(out)
    assert (stats["target"], stats["documents"], stats["problems"]) == (str(target), 3, [])


# -- human-readable lines ---------------------------------------------------------------------


def test_index_remove_and_add_escape_ids_and_targets(tmp_path: Path, hostile: Path) -> None:
    target = tmp_path / "news\u202e.index"
    code, out, _ = invoke("index", "add", str(target), str(hostile))
    assert code == 0
    assert out.endswith(f"3 documents in {tmp_path}/news\\u202e.index\n")
    code, out, err = invoke("index", "remove", str(target), EVIL_IDS[0], "zz\x1b[2J\x07\u202e")
    assert code == 0
    assert err == "not in the index: zz\\x1b[2J\\x07\\u202e\n"
    assert out == f"1 documents removed; 2 documents in {tmp_path}/news\\u202e.index\n"


def _bad_input(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "evil\x1b]0;pwned\x07\u202e.jsonl", [{"id": "x"}])


@pytest.mark.parametrize(
    "command",
    [
        ["merge", "{bad}", "{good}"],
        ["diff", "{bad}", "{good}"],
        ["eval", "{bad}", "{good}", "--truth-field", "story"],
    ],
    ids=["merge", "diff", "eval"],
)
def test_a_skipped_input_is_named_escaped(
    command: list[str], tmp_path: Path, hostile: Path
) -> None:
    bad = _bad_input(tmp_path)
    args = [a.format(bad=bad, good=hostile) for a in command]
    _, out, err = invoke(*args)
    assert RAW_UNSAFE.search(out + err) is None, out + err
    assert "evil\\x1b]0;pwned\\x07\\u202e.jsonl:1" in err


def test_merge_text_is_exact_into_a_pipe(tmp_path: Path) -> None:
    versions = write_jsonl(
        tmp_path / "v.jsonl", [{"id": "a", "text": TEXT}, {"id": "b", "text": TEXT}]
    )
    code, out, _ = invoke("merge", str(versions))
    assert code == 0
    assert out.startswith(TEXT.split("\n")[0] + "\n")  # as it is, the escape sequence too


# -- in a real terminal -----------------------------------------------------------------------


def test_in_a_terminal_nothing_from_the_data_acts_on_it(tmp_path: Path, hostile: Path) -> None:
    target = str(tmp_path / "t.index")
    versions = write_jsonl(
        tmp_path / "v.jsonl", [{"id": "a", "text": TEXT}, {"id": "b", "text": TEXT}]
    )
    code, add = _in_terminal("index", "add", target, str(hostile), "-q")
    assert code == 0, add
    screens = []
    for args in (
        ("index", "remove", target, "zz\x1b[2J\x07\u202e"),
        ("index", "query", target, str(hostile), "-q"),
        ("index", "stats", target),
        ("merge", str(versions)),
    ):
        code, screen = _in_terminal(*args)
        assert code == 0, (args[:2], screen)
        assert "Traceback" not in screen
        screens.append(screen)
    remove, query, stats, merge = screens
    for screen in screens:
        assert "\x1b" not in screen and "\x07" not in screen and "\u202e" not in screen, screen
    assert "not in the index: zz\\x1b[2J\\x07\\u202e" in remove
    strict_json_lines(query.replace("\r\n", "\n"))
    strict_json(stats.replace("\r\n", "\n"))
    assert "故事。\\x1b[2J\\x07\\u202e\r\n" in merge


# -- malformed Redis URLs ---------------------------------------------------------------------

PASSWORD = "hunter2"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (f"redis://:{PASSWORD}@@host:port/x", "more than one '@' before the host"),
        ("redis://localhost:notaport", "the port is not a number from 1 to 65535"),
        (f"redis://:{PASSWORD}@localhost:99999/0", "the port is not a number from 1 to 65535"),
        ("redis://host/abc", "the database (after the host and /) is not a number"),
        (f"redis://:{PASSWORD}/x@localhost:6379/0", "an '@' after the host"),
        (f"redis://:{PASSWORD}#x@localhost/0", "an '@' after the host"),
        ("redis:///0", "no host after redis://"),
        (f"rediss://:{PASSWORD}@[::1/0", "an unclosed '['"),
        ("redis://localhost:6379/0?db=first", "db= in the query is not a database number"),
        ("unix://", "no socket path after unix://"),
    ],
    ids=[
        "two-ats",
        "port-not-a-number",
        "port-out-of-range",
        "db-not-a-number",
        "slash-in-password",
        "hash-in-password",
        "no-host",
        "unclosed-bracket",
        "db-query",
        "unix-no-path",
    ],
)
@pytest.mark.parametrize("command", ["add", "query", "stats"])
def test_a_malformed_redis_url_is_a_usage_error(
    url: str, problem: str, command: str, tmp_path: Path, hostile: Path
) -> None:
    args = ["index", command, url] + ([] if command == "stats" else [str(hostile)])
    code, out, err = invoke(*args)
    assert code == 2
    assert out == ""
    unix = url.startswith("unix")
    form = "unix:///path/to/redis.sock[?db=N]" if unix else "redis://[:password@]host[:port][/db]"
    assert err.startswith(f"Error: malformed Redis URL: {problem}")
    assert f"; expected {form}" in err and len(err.splitlines()) == 1
    assert PASSWORD not in err


def test_an_unknown_redis_setting_is_a_usage_error() -> None:
    code, _, err = invoke("index", "stats", f"redis://:{PASSWORD}@127.0.0.1:1/0?colour=red")
    assert code == 2
    assert err == (
        "Error: Redis URL redis://:***@127.0.0.1:1/0?colour=red: unknown setting 'colour' in "
        "the query (the query takes prefix=NAME: and redis-py's connection settings: db=N, "
        "socket_timeout=SECONDS, ...)\n"
    )


# -- an index on a read-only file system ------------------------------------------------------


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, check=False)


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A fresh tmpfs, writable until :func:`_read_only` remounts it read-only."""
    folder = tmp_path / "mnt"
    folder.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command: cannot make a read-only file system")
    done = _mount("-t", "tmpfs", "-o", "size=16m", "tmpfs", str(folder))
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs (needs root or CAP_SYS_ADMIN): {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _read_only(folder: Path) -> None:
    done = _mount("-o", "remount,ro", str(folder))
    assert done.returncode == 0, done.stderr
    assert not os.access(folder, os.W_OK)


def test_a_read_only_index_is_queried_and_not_written(tmpfs: Path, hostile: Path) -> None:
    target = str(tmpfs / "news.index")
    assert invoke("index", "add", target, str(hostile), "-q")[0] == 0
    _, before, _ = invoke("index", "query", target, str(hostile), "-q")
    _read_only(tmpfs)

    code, out, err = invoke("index", "query", target, str(hostile), "-q")
    assert (code, out, err) == (0, before, "")
    code, out, _ = invoke("index", "stats", target, "--verify")
    stats = strict_json(out)
    assert code == 0
    assert (stats["documents"], stats["problems"]) == (3, [])
    assert stats["read_only"] == "read-only file system"

    for args, verb in [
        (["add", target, str(hostile)], "write"),
        (["add", target, str(hostile), "--threshold", "0.9"], "write"),
        (["add", str(tmpfs / "new.index"), str(hostile)], "create"),
        (["remove", target, EVIL_IDS[0]], "write"),
    ]:
        code, out, err = invoke("index", *args)
        assert code == 1, args
        assert err.startswith(f"Error: cannot {verb} the index {args[1]}: read-only file system")
        assert len(err.splitlines()) == 1 and "not a dedup index" not in err
    assert not (tmpfs / "new.index").exists()


def _unfinished_write(target: Path) -> None:
    """Add a document and die without closing, leaving the write-ahead log un-checkpointed."""
    code = (
        "import os, sys\n"
        "from dedup.index import Index\n"
        "index = Index.open(sys.argv[1])\n"
        "index.add('late', '一篇晚到的文章，讲的是另一件完全不同的事情，和山水无关。')\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(target)], check=True)
    assert Path(f"{target}-wal").stat().st_size > 0


def test_a_read_only_index_with_a_write_ahead_log(tmpfs: Path, hostile: Path) -> None:
    target = tmpfs / "news.index"
    assert invoke("index", "add", str(target), str(hostile), "-q")[0] == 0
    _unfinished_write(target)
    _read_only(tmpfs)
    code, out, _ = invoke("index", "stats", str(target))
    assert code == 0
    assert strict_json(out)["documents"] == 4  # the log's document too


def test_a_read_only_write_ahead_log_without_its_shm_file_is_explained(
    tmpfs: Path, hostile: Path
) -> None:
    target = tmpfs / "news.index"
    assert invoke("index", "add", str(target), str(hostile), "-q")[0] == 0
    _unfinished_write(target)
    Path(f"{target}-shm").unlink()
    _read_only(tmpfs)
    code, _, err = invoke("index", "stats", str(target))
    assert code == 1
    assert err.startswith(
        f"Error: cannot read the index {target}: read-only file system, and its write-ahead log "
        f"{target}-wal holds changes"
    )


def test_error_and_skip_lines_escape_a_file_name_with_an_escape_sequence(tmp_path: Path) -> None:
    source = tmp_path / "bad\x1b[31mname.jsonl"
    source.write_text('{"id": "a", "content": "x"}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(source), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr
    assert "bad\\x1b[31mname.jsonl" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("Error: no document could be read from ")


def test_merge_refuses_to_write_over_one_of_its_inputs(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("第一段，文字。\n", encoding="utf-8")
    b.write_text("第一段,文字。\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["merge", str(a), str(b), "--out", str(b)])
    assert result.exit_code == 2
    assert "would overwrite the input" in result.stderr
    assert b.read_text(encoding="utf-8") == "第一段,文字。\n"
