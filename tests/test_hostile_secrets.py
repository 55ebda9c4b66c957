"""A Redis password never shows: not on stdout, stderr, in logs (even -vv), stats or errors.

Guards against: echoing the index target as given (``redis://:PASSWORD@host``) in closing lines,
``stats`` JSON, "no index at ..." and connection errors; redis-py messages that quote the
password; debug logs of the client; and forms of the URL that a simple mask misses (a
password holding ``@`` or ``%`` escapes, a password passed as ``?password=``).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_index_contract import start_redis_server

from dedup.cli import main
from dedup.errors import StoreError
from dedup.index import Index, mask_url

SECRET = "Hunter2-p@ss%word"  # '@' and '%' must not break the mask
QUOTED = "Hunter2-p%40ss%25word"  # as it stands in a URL


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    port, stop = start_redis_server("--requirepass", SECRET)
    yield port
    stop()


def _url(port: int, password: str = QUOTED) -> str:
    return f"redis://:{password}@127.0.0.1:{port}/0?prefix=s{uuid.uuid4().hex[:8]}:"


def _no_secret(text: str) -> None:
    for form in (SECRET, QUOTED, "Hunter2"):
        assert form not in text


def _corpus(tmp_path: Path) -> Path:
    path = tmp_path / "docs.jsonl"
    lines = [
        {"id": "a", "text": "第一段，很长的文字，讲了一个关于山和水的故事。"},
        {"id": "b", "text": "第一段，很长的文字，讲了一个关于山和水的故事！"},
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), "utf-8")
    return path


def test_every_index_command_masks_the_password(
    port: int, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = _url(port)
    docs = _corpus(tmp_path)
    runner = CliRunner()
    shown: list[str] = []
    for args, code in [
        (["index", "stats", url], 1),  # no index yet: "no index at ..."
        (["index", "add", url, str(docs)], 0),
        (["index", "query", url, str(docs), "--explain"], 0),
        (["index", "stats", url], 0),
        (["index", "stats", url, "--verify"], 0),
        (["index", "remove", url, "a", "zz"], 0),
        (["index", "add", _url(port, "wrong"), str(docs)], 1),  # refused credentials
        (["index", "add", f"redis://:{QUOTED}@127.0.0.1:1/0", str(docs)], 1),  # unreachable
    ]:
        result = runner.invoke(main, args)
        assert result.exit_code == code, (args[:2], result.output)
        shown += [result.stdout, result.stderr]
    shown.append(caplog.text)
    for text in shown:
        _no_secret(text)
    assert "***@127.0.0.1" in "".join(shown)


def test_debug_logging_of_a_real_process_masks_the_password(port: int, tmp_path: Path) -> None:
    code = "import sys; from dedup.cli import main; sys.exit(main())"
    url = _url(port)
    for args in (
        ["-vv", "index", "add", url, str(_corpus(tmp_path))],
        ["-vv", "index", "stats", _url(port, "wrong")],
    )[: 2 if os.environ.get("DEDUP_FUZZ_PROFILE") == "fuzz" else 1]:
        proc = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300
        )
        _no_secret(proc.stdout + proc.stderr)
        assert "***" in proc.stdout + proc.stderr


def test_library_errors_and_reprs_mask_the_password(port: int) -> None:
    url = _url(port)
    with Index.open(url) as index:
        index.add("x", "一段足够长的文字，用来建立索引。")
        for text in (repr(index), str(index.stats()), index.target):
            _no_secret(text)
    with pytest.raises(StoreError) as wrong:
        Index.open(_url(port, "wrong"))
    _no_secret(str(wrong.value))
    _no_secret(repr(wrong.value))


def test_a_password_in_the_query_string_is_masked() -> None:
    shown = mask_url(f"redis://127.0.0.1:6379/0?password={QUOTED}&prefix=x:")
    _no_secret(shown)
