"""``dedupe index add|query|remove|stats`` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_index_contract import edited, fresh_redis_target, han_text

from dedup.cli import main
from dedup.index import Index
from dedup.options import Options


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_jsonl(
        tmp_path / "corpus.jsonl",
        [
            {"id": "a", "text": han_text(1), "source": "wire"},
            {"id": "b", "text": han_text(2)},
            {"id": "c", "text": han_text(3)},
        ],
    )


@pytest.fixture
def queries(tmp_path: Path) -> Path:
    return write_jsonl(
        tmp_path / "queries.jsonl",
        [
            {"id": "q-near-a", "text": edited(han_text(1), 5)},
            {"id": "q-new", "text": han_text(4)},
            {"id": "q-b", "text": han_text(2)},
        ],
    )


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_add_query_remove_stats(tmp_path: Path, corpus: Path, queries: Path) -> None:
    target = str(tmp_path / "news.index")
    code, out, err = invoke("index", "add", target, str(corpus))
    assert (code, err) == (0, "")
    assert out == f"3 documents added, 0 skipped; 3 documents in {target}\n"

    code, out, _ = invoke("index", "query", target, str(queries))
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["id"] for line in lines] == ["q-near-a", "q-new", "q-b"]
    near, new, exact = (line["matches"] for line in lines)
    assert [(m["id"], m["meta"]) for m in near] == [("a", {"source": "wire"})]
    with Index.open(target) as index:
        expected = index.query(edited(han_text(1), 5))[0]
    assert near[0]["similarity"] == round(expected.similarity, 6)
    assert near[0]["containment"] == round(expected.containment, 6)
    assert new == []
    assert exact == [{"id": "b", "similarity": 1.0, "containment": 1.0}]

    code, out, err = invoke("index", "remove", target, "a", "zz")
    assert code == 0
    assert out == f"1 documents removed; 2 documents in {target}\n"
    assert err == "not in the index: zz\n"

    code, out, _ = invoke("index", "stats", target, "--verify")
    assert code == 0
    stats = json.loads(out)
    assert (stats["documents"], stats["backend"], stats["problems"]) == (2, "sqlite", [])


def test_query_options(tmp_path: Path, corpus: Path, queries: Path) -> None:
    target = str(tmp_path / "news.index")
    invoke("index", "add", target, str(corpus))
    code, out, _ = invoke("index", "query", target, str(queries), "--threshold", "1.0", "-k", "1")
    assert code == 0
    assert [len(json.loads(line)["matches"]) for line in out.splitlines()] == [0, 0, 1]
    code, out, _ = invoke("index", "query", target, str(queries), "--explain")
    explanation = json.loads(out.splitlines()[0])["matches"][0]["explanation"]
    assert set(explanation) == {
        "estimated_similarity",
        "similarity",
        "query_in_match",
        "match_in_query",
        "alignment",
    }
    assert explanation["alignment"]["edit"] == 1


def test_options_are_fixed_at_creation(tmp_path: Path, corpus: Path) -> None:
    target = str(tmp_path / "news.index")
    assert invoke("index", "add", target, str(corpus), "--ngram", "4", "-q")[0] == 0
    assert invoke("index", "add", target, str(corpus), "--ngram", "4", "--seed", "1", "-q")[0] == 0
    assert invoke("index", "add", target, str(corpus), "-q")[0] == 0
    code, out, err = invoke("index", "add", target, str(corpus), "--threshold", "0.9")
    assert code == 2
    assert out == ""
    assert f"threshold: index {Options().threshold}, given 0.9" in err
    assert "cjk_ngram" not in err
    with Index.open(target) as index:
        assert index.options.cjk_ngram == 4
        assert len(index) == 3


def test_errors_are_messages_not_tracebacks(tmp_path: Path, corpus: Path) -> None:
    junk = tmp_path / "junk.index"
    junk.write_bytes(b"\x00\x01not sqlite at all" * 500)
    for args in (
        ("index", "add", str(junk), str(corpus)),
        ("index", "query", str(junk), str(corpus)),
        ("index", "stats", str(tmp_path / "absent.index")),
        ("index", "remove", str(tmp_path / "absent.index"), "a"),
    ):
        code, out, err = invoke(*args)
        assert code == 1, args
        assert err.startswith("Error: ")
        assert "Traceback" not in out + err
    assert not (tmp_path / "absent.index").exists()


def test_skipped_inputs_are_reported(tmp_path: Path, corpus: Path) -> None:
    target = str(tmp_path / "news.index")
    code, out, err = invoke("index", "add", target, str(corpus), str(tmp_path / "missing.jsonl"))
    assert code == 0
    assert "missing.jsonl: no such file or folder" in err
    assert out.startswith("3 documents added, 1 skipped")


def test_redis_target(corpus: Path) -> None:
    target = fresh_redis_target()
    assert invoke("index", "add", target, str(corpus), "-q") == (0, "", "")
    code, out, _ = invoke("index", "stats", target)
    assert (code, json.loads(out)["documents"]) == (0, 3)


@pytest.mark.parametrize("command", ["add", "query", "remove", "stats"])
def test_every_command_has_help(command: str) -> None:
    code, out, _ = invoke("index", command, "--help")
    assert code == 0
    assert "INDEX" in out


def test_add_with_nothing_readable_is_exit_1_and_each_reason_once(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "posts.jsonl", [{"id": str(i), "content": f"post {i}"} for i in range(300)]
    )
    result = CliRunner().invoke(main, ["index", "add", str(tmp_path / "x.index"), str(source)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("skipped 300 inputs: no field 'text' (available: id, content;")
    assert lines[0].endswith(f"({source}:1, {source}:2, {source}:3, ... (and 297 more))")
    expected = f"Error: no document could be read from {source} (300 skipped, reasons above)"
    assert lines[1] == expected
