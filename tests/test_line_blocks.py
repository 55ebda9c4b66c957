"""JSON lines are read in blocks and parsed where they are signed: wherever the blocks are cut,
and whichever process parses them, the documents, skips, ids and line numbers are the same."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup import io as readers
from dedup import pipeline
from dedup.cluster import UnionFind, component_arrays
from dedup.document import Document, Skipped
from dedup.io import LineBlock, read_documents
from dedup.options import Options, ReadOptions

_LINES = st.lists(
    st.one_of(
        st.builds(
            lambda i, text: json.dumps({"id": f"d{i}", "text": text}, ensure_ascii=False),
            st.integers(0, 30),
            st.text(alphabet="強基惠民 abc，。\u3000", min_size=0, max_size=40),
        ),
        st.sampled_from(
            ["", " ", "\u3000", "\t", "[1]", "{bad", '{"text": 3}', '{"text": "x\\ud800"}']
        ),
    ),
    max_size=40,
)


def _read(path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, block: int) -> list[object]:
    with monkeypatch.context() as patch:
        patch.setattr(readers, "_CHUNK", chunk)
        patch.setattr(readers, "_BLOCK", block)
        return list(read_documents([path]))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=_LINES, crlf=st.booleans(), final_newline=st.booleans())
def test_blocks_cut_anywhere_read_the_same(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lines: list[str],
    crlf: bool,
    final_newline: bool,
) -> None:
    end = "\r\n" if crlf else "\n"
    content = end.join(lines) + (end if final_newline and lines else "")
    path = tmp_path / "f.jsonl"
    path.write_text(content, encoding="utf-8")
    whole = _read(path, monkeypatch, 1 << 16, 1 << 21)
    assert _read(path, monkeypatch, 16, 32) == whole
    assert _read(path, monkeypatch, 64, 64) == whole
    # every non-blank line gave exactly one item, at its own line number
    given = [n for n, line in enumerate(content.split("\n"), 1) if line.strip()]
    if not given and content:
        assert [type(item) for item in whole] == [Skipped]
        assert "no records" in whole[0].reason
    elif given:
        assert [item.source.rsplit(":", 1)[1] for item in whole] == [str(n) for n in given]


def test_blank_lines_before_the_first_record_span_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text("\n" * 500 + '{"text": "強基惠民"}\n' + " \n" * 200, encoding="utf-8")
    items = _read(path, monkeypatch, 16, 64)
    assert items == [Document("f.jsonl:501", "強基惠民", {}, f"{path}:501")]


def test_gb18030_lines_in_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [
        json.dumps({"text": f"第{i}篇 強基惠民，穩邊固邊"}, ensure_ascii=False) for i in range(50)
    ]
    path = tmp_path / "f.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode("gb18030"))
    items = _read(path, monkeypatch, 256, 512)
    assert [d.text for d in items] == [f"第{i}篇 強基惠民，穩邊固邊" for i in range(50)]
    assert items == _read(path, monkeypatch, 1 << 16, 1 << 21)


def test_parse_lines_of_a_block_alone() -> None:
    data = '{"id": "a", "text": "一"}\n\n[2]\n{"id": "b", "text": "二"}'.encode()
    block = LineBlock("p.jsonl", "p.jsonl", 10, "utf-8", data, ReadOptions())
    items = readers.parse_lines(block)
    assert items[0] == Document("a", "一", {}, "p.jsonl:10")
    assert isinstance(items[1], Skipped) and items[1].source == "p.jsonl:12"
    assert items[2] == Document("b", "二", {}, "p.jsonl:13")


def _corpus(path: Path) -> None:
    rng = np.random.default_rng(3)
    han = [chr(c) for c in range(0x4E00, 0x4E00 + 400)]
    lines = []
    for i in range(1200):
        text = "".join(rng.choice(han, 60))
        if i % 7 == 3:  # a near-duplicate of the line before
            text = lines[-1]["text"][:-2] + "。"
        lines.append({"id": f"d{i % 1100}", "text": text})  # ids from 1100 on repeat
    lines[50] = {"id": "long", "text": "強" * 5000}
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines) + "[1]\n")


def test_workers_parse_blocks_as_one_process_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Blocks small enough that most go to worker processes: the same result as reading in
    one process, repeated ids and cut documents accounted for the same way."""
    path = tmp_path / "c.jsonl"
    _corpus(path)
    monkeypatch.setattr(readers, "_CHUNK", 4096)
    monkeypatch.setattr(readers, "_BLOCK", 4096)
    parts = pipeline._input_parts

    def slowly(documents):  # the input comes slowly enough for the workers to take part
        for n, part in enumerate(parts(documents)):
            if n > 5:
                time.sleep(0.1)
            yield part

    opts = Options(threshold=0.7)
    results = []
    for workers in (1, 2):
        if workers == 2:
            monkeypatch.setattr(pipeline, "_input_parts", slowly)
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            documents = read_documents([path], ReadOptions(max_chars=1000))
            results.append(pipeline.run(documents, opts, workers=workers))
        assert [r.message for r in caplog.records] == [
            f"{path}:51: cut from 5000 to 1000 characters"
        ]
    one, two = results
    assert two.ids == one.ids and len(one.ids) == 1101  # d50 is first seen at line 1151
    assert [(s.source, s.reason) for s in two.skipped] == [
        (s.source, s.reason) for s in one.skipped
    ]
    assert len(one.skipped) == 100  # 99 repeated ids and one record that is not an object
    assert "duplicate id 'd0' (first seen in" in one.skipped[0].reason
    assert one.skipped[0].source == f"{path}:1101"
    assert one.cut == two.cut == 1
    assert [c.members for c in two.clusters] == [c.members for c in one.clusters]
    assert len(one.clusters) > 100
    assert list(two.documents) == list(one.documents)
    assert two.documents[50].meta == {"original_chars": 5000}
    stored_in = two.documents._store._files.paths  # one file per process that stored some
    assert len(stored_in) > 1 and len(one.documents._store._files.paths) == 1


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(1, 40),
    edges=st.lists(st.tuples(st.integers(0, 39), st.integers(0, 39)), max_size=60),
)
def test_component_arrays_equal_union_find(n: int, edges: list[tuple[int, int]]) -> None:
    edges = [(a % n, b % n) for a, b in edges]
    uf = UnionFind(n)
    for a, b in edges:
        uf.union(a, b)
    groups: dict[int, list[int]] = {}
    for node in range(n):
        groups.setdefault(uf.find(node), []).append(node)
    expected = sorted((g for g in groups.values() if len(g) > 1), key=lambda g: g[0])
    pairs = np.array(edges, dtype=np.int64).reshape(-1, 2)
    nodes, bounds = component_arrays(n, pairs[:, 0], pairs[:, 1])
    got = [nodes[lo:hi].tolist() for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)]
    assert got == expected


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.integers(2, 6), min_size=1, max_size=12),
    lengths=st.lists(st.integers(0, 3), min_size=80, max_size=80),
    names=st.permutations(list(range(80))),
)
def test_representatives_at_once_equal_choose_representative(
    sizes: list[int], lengths: list[int], names: list[int]
) -> None:
    """The longest member, ties (frequent here) broken by the smallest id."""
    from dedup.cluster import choose_representative, choose_representatives

    ids = [f"doc{n:03d}" for n in names]
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    nodes = np.arange(bounds[-1], dtype=np.int64)
    got = choose_representatives(nodes, bounds, np.array(lengths, dtype=np.int64), ids)
    groups = [nodes[lo:hi].tolist() for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)]
    assert got == [choose_representative(g, lengths, ids) for g in groups]
