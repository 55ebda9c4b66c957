"""Readers: formats, compression, encodings, and every way an input can be unreadable."""

from __future__ import annotations

import builtins
import csv
import gzip
import io
import json
import math
import os
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dedup import io as readers
from dedup.document import Document, Skipped
from dedup.errors import ConfigError
from dedup.io import read_documents
from dedup.options import ReadOptions

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def read(*inputs: str | Path, stdin: Any = None, **options: Any) -> list[Document | Skipped]:
    return list(read_documents(list(inputs), ReadOptions(**options), stdin=stdin))


def docs(items: list[Document | Skipped]) -> list[Document]:
    return [item for item in items if isinstance(item, Document)]


def skips(items: list[Document | Skipped]) -> list[Skipped]:
    return [item for item in items if isinstance(item, Skipped)]


def only_skip(items: list[Document | Skipped]) -> Skipped:
    assert len(items) == 1 and isinstance(items[0], Skipped), items
    return items[0]


def write_jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def seed_text(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def big5_text() -> str:
    """Seed paragraphs in traditional characters, those that Big5 can encode."""
    import opencc

    s2t = opencc.OpenCC("s2t")
    kept = []
    for path in sorted(SEEDS.glob("*.txt")):
        for paragraph in path.read_text(encoding="utf-8").replace("\u3000\u3000", "\n").split("\n"):
            traditional = s2t.convert(paragraph.strip())
            try:
                traditional.encode("big5")
            except UnicodeEncodeError:
                continue
            if traditional:
                kept.append(traditional)
    return "\n".join(kept)


# --- folders, ids, order -------------------------------------------------------------------


def test_seeds_folder_gives_the_five_seed_documents():
    items = read(SEEDS)
    names = sorted(p.name for p in SEEDS.glob("*.txt"))
    assert len(names) == 5
    assert [d.id for d in docs(items)] == names
    assert skips(items) == []
    for doc in docs(items):
        assert doc.text == (SEEDS / doc.id).read_text(encoding="utf-8")
        assert doc.meta == {"path": os.path.join(str(SEEDS), doc.id)}
        assert doc.source == doc.meta["path"]


def test_folder_is_walked_recursively_in_sorted_relative_path_order(tmp_path: Path):
    root = tmp_path / "corpus"
    names = ["b.txt", "a/z.txt", "a/b/c.md", "a.txt", "a-b.txt", "a/b.text"]
    for name in reversed(names):  # creation order must not matter
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f"text of {name}", "utf-8")
    for hidden in [".hidden.txt", ".git/x.txt", "a/.cache/y.txt"]:
        (root / hidden).parent.mkdir(parents=True, exist_ok=True)
        (root / hidden).write_text("hidden", "utf-8")
    (root / "a" / "loop").symlink_to(root, target_is_directory=True)
    (root / "link.txt").symlink_to(root / "b.txt")

    items = read(root)

    expected = ["a-b.txt", "a.txt", "a/b.text", "a/b/c.md", "a/z.txt", "b.txt", "link.txt"]
    assert [d.id for d in docs(items)] == expected
    assert skips(items) == []
    by_id = {d.id: d for d in docs(items)}
    assert by_id["a/b/c.md"].text == "text of a/b/c.md"
    assert by_id["link.txt"].text == "text of b.txt"
    assert by_id["a/b/c.md"].meta["path"] == os.path.join(str(root), "a", "b", "c.md")


def test_file_given_directly_is_named_by_its_file_name(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "doc.txt"
    path.write_text("hello", "utf-8")
    (doc,) = read(path)
    assert isinstance(doc, Document)
    assert (doc.id, doc.text, doc.meta, doc.source) == (
        "doc.txt",
        "hello",
        {"path": str(path)},
        str(path),
    )


def test_inputs_are_read_in_the_order_given_and_a_missing_one_does_not_stop_the_rest(
    tmp_path: Path,
):
    (tmp_path / "x.txt").write_text("x", "utf-8")
    (tmp_path / "y.txt").write_text("y", "utf-8")
    missing = tmp_path / "nope"
    items = read(tmp_path / "y.txt", missing, tmp_path / "x.txt")
    assert [getattr(i, "id", None) for i in items] == ["y.txt", None, "x.txt"]
    assert items[1] == Skipped(str(missing), "no such file or folder")


def test_a_single_path_instead_of_a_list_is_refused_with_a_hint():
    with pytest.raises(TypeError, match=r"read_documents\(\[path\]\)"):
        list(read_documents("seeds"))  # type: ignore[arg-type]


# --- JSON lines, JSON ------------------------------------------------------------------------


def test_jsonl_with_custom_fields_keeps_the_rest_as_meta(tmp_path: Path):
    path = tmp_path / "data.jsonl"
    path.write_text(
        json.dumps({"key": 7, "body": "第一篇", "lang": "zh", "tags": ["a"]}, ensure_ascii=False)
        + "\n\n"
        + json.dumps({"body": "second", "key": "k2"})
        + "\n"
        + json.dumps({"body": "no key here", "n": 1.5})
        + "\n",
        "utf-8",
    )
    items = read(path, text_field="body", id_field="key")
    assert items == [
        Document("7", "第一篇", {"lang": "zh", "tags": ["a"]}, f"{path}:1"),
        Document("k2", "second", {}, f"{path}:3"),
        Document("data.jsonl:4", "no key here", {"n": 1.5}, f"{path}:4"),
    ]


def test_jsonl_ids_in_a_folder_fall_back_to_relative_path_and_line(tmp_path: Path):
    (tmp_path / "part").mkdir()
    write_jsonl(tmp_path / "part" / "a.ndjson", [{"text": "one"}, {"text": "two", "id": None}])
    items = read(tmp_path)
    assert [d.id for d in docs(items)] == ["part/a.ndjson:1", "part/a.ndjson:2"]


def test_bad_jsonl_records_are_skipped_with_path_line_and_reading_goes_on(tmp_path: Path):
    path = tmp_path / "bad.jsonl"
    lines = [
        '{"id": "ok1", "text": "fine"}',
        "{not json",
        '["an", "array"]',
        '{"id": "m", "body": "x", "title": "t"}',
        '{"id": "n", "text": 42}',
        '{"id": "z", "text": null}',
        '{"id": "w", "text": " \\u3000\\n "}',
        '{"text": "fine too"}',
        '{"id": "s", "text": "broken \\ud800 escape"}',
        "[" * 100_000 + "]" * 100_000,
    ]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    items = read(path)
    assert [d.id for d in docs(items)] == ["ok1", "bad.jsonl:8"]
    bad = skips(items)
    assert [s.source for s in bad] == [f"{path}:{n}" for n in (2, 3, 4, 5, 6, 7, 9, 10)]
    assert bad[0].reason.startswith("not valid JSON: ")
    assert bad[1].reason == "record is an array, not an object"
    assert bad[2] == Skipped(
        f"{path}:4", "no field 'text' (available: id, body, title; is --text-field right?)", "m"
    )
    assert bad[3] == Skipped(f"{path}:5", "field 'text' is a number, not a string", "n")
    assert bad[4] == Skipped(f"{path}:6", "field 'text' is null, not a string", "z")
    assert bad[5] == Skipped(f"{path}:7", "no text (only whitespace)", "w")
    assert bad[6] == Skipped(f"{path}:9", "text holds a lone surrogate (a broken \\u escape)", "s")
    deep = "nested more than 256 levels deep (arrays and objects within each other)"
    assert bad[7] == Skipped(f"{path}:10", deep)


def test_json_array_records_carry_the_line_they_start_on(tmp_path: Path):
    path = tmp_path / "arr.json"
    records = [{"id": "a", "text": "A"}, {"text": 3}, {"text": "C", "x": [1, 2]}]
    path.write_text(json.dumps(records, indent=2), "utf-8")
    items = read(path)
    starts = [n for n, line in enumerate(path.read_text().splitlines(), 1) if line == "  {"]
    assert items == [
        Document("a", "A", {}, f"{path}:{starts[0]}"),
        Skipped(
            f"{path}:{starts[1]}", "field 'text' is a number, not a string", f"arr.json:{starts[1]}"
        ),
        Document(f"arr.json:{starts[2]}", "C", {"x": [1, 2]}, f"{path}:{starts[2]}"),
    ]


@pytest.mark.parametrize(
    ("content", "expected_ids"),
    [
        pytest.param('{"id": "one",\n "text": "only"}\n', ["one"], id="single-object"),
        pytest.param('{"text": "a"}\n{"text": "b"}\n', ["l.json:1", "l.json:2"], id="json-lines"),
        pytest.param('[{"text": "a"},\n{"text": "b"}]', ["l.json:1", "l.json:2"], id="array"),
    ],
)
def test_json_file_forms(tmp_path: Path, content: str, expected_ids: list[str]):
    (tmp_path / "l.json").write_text(content, "utf-8")
    assert [d.id for d in read(tmp_path / "l.json")] == expected_ids


def test_broken_json_array_is_skipped_at_the_broken_line(tmp_path: Path):
    path = tmp_path / "broken.json"
    path.write_text('[\n{"text": "a"},\n{"text": "b"\n,\n', "utf-8")
    items = read(path)
    assert [d.text for d in docs(items)] == ["a"]
    (bad,) = skips(items)
    assert bad.source == f"{path}:3" and bad.reason.startswith("not valid JSON")


# --- CSV, TSV --------------------------------------------------------------------------------


def test_csv_with_quoted_newlines_and_a_very_long_field(tmp_path: Path):
    long_text = "长" * 300_000  # over csv's default field size limit
    path = tmp_path / "t.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "source"])
        writer.writerow(["r1", "line one\nline two, with comma", "web"])
        writer.writerow(["", long_text, "book"])
        writer.writerow(["r3", "short", ""])
    items = read(path)
    assert items == [
        Document("r1", "line one\nline two, with comma", {"source": "web"}, f"{path}:2"),
        Document("t.csv:4", long_text, {"source": "book"}, f"{path}:4"),
        Document("r3", "short", {"source": ""}, f"{path}:5"),
    ]


def test_csv_problems(tmp_path: Path):
    no_text = tmp_path / "no_text.csv"
    no_text.write_text("id,body,date\n1,x,2020\n", "utf-8")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("id,text\n1,a,extra\n2,b\n", "utf-8")
    assert read(no_text) == [
        Skipped(
            f"{no_text}:1", "no field 'text' (available: id, body, date; is --text-field right?)"
        )
    ]
    assert read(ragged) == [
        Skipped(f"{ragged}:2", "row has 3 fields but the header has 2"),
        Document("2", "b", {}, f"{ragged}:3"),
    ]


def test_tsv_and_excel_style_utf8_bom_header(tmp_path: Path):
    path = tmp_path / "t.tsv"
    path.write_bytes("\ufefftext\tid\n甲 乙\t9\n".encode())
    assert read(path) == [Document("9", "甲 乙", {}, f"{path}:2")]


# --- Parquet --------------------------------------------------------------------------------


def test_parquet_is_streamed_in_batches_in_row_order(tmp_path: Path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    n = 2500
    table = pa.table(
        {
            "doc": [f"d{i}" for i in range(n)],
            "content": [None if i == 5 else f"文本 {i}" for i in range(n)],
            "year": list(range(n)),
        }
    )
    path = tmp_path / "t.parquet"
    pq.write_table(table, path, row_group_size=1000)
    items = read(path, text_field="content", id_field="doc")
    assert len(items) == n
    assert items[0] == Document("d0", "文本 0", {"year": 0}, f"{path}:1")
    assert items[5] == Skipped(f"{path}:6", "field 'content' is null, not a string", "d5")
    assert [d.id for d in docs(items)] == [f"d{i}" for i in range(n) if i != 5]
    assert docs(items)[-1].meta == {"year": n - 1}


def test_parquet_column_problems_are_reported_once_per_file(tmp_path: Path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.table({"body": ["x"] * 3, "n": [1, 2, 3]}), tmp_path / "a.parquet")
    pq.write_table(pa.table({"text": [1, 2, 3]}), tmp_path / "b.parquet")
    (tmp_path / "c.parquet").write_bytes(b"not parquet at all")
    (tmp_path / "d.parquet").write_bytes(b"")
    a, b, c, d = read(tmp_path)
    assert a == Skipped(
        str(tmp_path / "a.parquet"), "no field 'text' (available: body, n; is --text-field right?)"
    )
    assert b == Skipped(str(tmp_path / "b.parquet"), "column 'text' holds int64, not strings")
    assert isinstance(c, Skipped) and c.reason.startswith("cannot read Parquet: ")
    assert d == Skipped(str(tmp_path / "d.parquet"), "empty file")


@pytest.mark.parametrize(
    ("module", "name", "hint"),
    [
        pytest.param("pyarrow", "t.parquet", "pip install 'dedup[parquet]'", id="pyarrow"),
        pytest.param("zstandard", "t.jsonl.zst", "pip install 'dedup[zstd]'", id="zstandard"),
    ],
)
def test_missing_optional_dependency_skips_with_the_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str, name: str, hint: str
):
    (tmp_path / name).write_bytes(b"whatever")
    monkeypatch.setitem(sys.modules, module, None)  # makes "import module" fail
    monkeypatch.setitem(sys.modules, f"{module}.parquet", None)
    skipped = only_skip(read(tmp_path / name))
    assert skipped.source == str(tmp_path / name)
    assert skipped.reason.endswith(hint)


# --- compression ----------------------------------------------------------------------------


def test_gzip_and_zstd_around_every_format(tmp_path: Path):
    zstandard = pytest.importorskip("zstandard")
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    sink = io.BytesIO()
    pq.write_table(pa.table({"text": ["列"], "id": ["p"]}), sink)
    plain = {
        "a.txt": "正文".encode(),
        "b.jsonl": b'{"id": "j", "text": "jsonl"}\n',
        "c.csv": b"id,text\nc,csv\n",
        "d.parquet": sink.getvalue(),
    }
    for name, data in plain.items():
        (tmp_path / f"{name}.gz").write_bytes(gzip.compress(data))
        (tmp_path / f"{name}.zst").write_bytes(zstandard.ZstdCompressor().compress(data))
    items = read(tmp_path)
    assert skips(items) == []
    assert [(d.id, d.text) for d in items] == [
        ("a.txt.gz", "正文"),
        ("a.txt.zst", "正文"),
        ("j", "jsonl"),
        ("j", "jsonl"),
        ("c", "csv"),
        ("c", "csv"),
        ("p", "列"),
        ("p", "列"),
    ]


def test_truncated_gzip_keeps_what_was_read_and_names_the_next_line(tmp_path: Path):
    lines = "".join(
        json.dumps({"text": f"{i} " + os.urandom(40).hex()}) + "\n" for i in range(5000)
    )
    whole = gzip.compress(lines.encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    items = read(path)
    read_docs = docs(items)
    recovered = zlib.decompressobj(31).decompress(whole[: len(whole) // 2])
    assert len(read_docs) == recovered.count(b"\n")  # every whole line, as `gzip -dc` gives
    assert [d.text.split()[0] for d in read_docs] == [str(i) for i in range(len(read_docs))]
    n = len(read_docs)
    assert items[-1] == Skipped(
        f"{path}:{n + 1}",
        f"the gzip data ends early (the file stops at byte {len(whole) // 2:,}, inside the "
        f"compressed data; {len(recovered):,} bytes decompressed): lines 1-{n:,} were read, "
        "nothing after them",
    )


def test_corrupt_zstd_is_skipped(tmp_path: Path):
    pytest.importorskip("zstandard")
    path = tmp_path / "x.txt.zst"
    path.write_bytes(b"\x28\xb5\x2f\xfd garbage garbage")
    skipped = only_skip(read(path))
    assert skipped.source == str(path) and skipped.reason.startswith(
        "cannot read file: the zstd data is corrupt in bytes 0-"
    )


# --- stdin --------------------------------------------------------------------------------


class CountingStream(io.BytesIO):
    """Stdin stand-in that records how much each read asked for."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.sizes: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        self.sizes.append(-1 if size is None else size)
        return super().read(size)


def test_stdin_is_jsonl_and_streamed():
    data = "".join(json.dumps({"text": f"doc {i} " + "x" * 100}) + "\n" for i in range(3000))
    stream = CountingStream(data.encode())
    items = read_documents(["-"], stdin=stream)
    first = next(items)
    assert first == Document("stdin:1", "doc 0 " + "x" * 100, {}, "<stdin>:1")
    assert stream.tell() < len(data)  # the first document came before the end was read
    rest = list(items)
    assert [d.id for d in rest] == [f"stdin:{n}" for n in range(2, 3001)]
    assert stream.sizes[0] == 1 << 16  # reads start small and grow to a block at most
    assert all(0 < size <= readers._BLOCK for size in stream.sizes)


def test_stdin_bad_line_names_stdin_and_line():
    items = read("-", stdin=io.BytesIO(b'{"text": "a"}\nnope\n'))
    assert items[1].source == "<stdin>:2" and isinstance(items[1], Skipped)


# --- encodings ----------------------------------------------------------------------------


ENCODED = {
    "utf-8-sig": lambda t: t.encode("utf-8-sig"),
    "utf-16-le": lambda t: t.encode("utf-16"),  # BOM + little-endian on every platform we run on
    "utf-16-be": lambda t: b"\xfe\xff" + t.encode("utf-16-be"),
    "utf-32-le": lambda t: b"\xff\xfe\x00\x00" + t.encode("utf-32-le"),
    "gb18030": lambda t: t.encode("gb18030"),
}


@pytest.mark.parametrize("encoding", sorted(ENCODED))
@pytest.mark.parametrize("length", [8, 40, None], ids=["8-chars", "40-chars", "whole"])
def test_text_file_encodings_read_back_exactly(tmp_path: Path, encoding: str, length: int | None):
    if sys.byteorder != "little" and encoding == "utf-16-le":
        pytest.skip("the utf-16 codec writes native byte order")
    text = seed_text("002")[:length]
    (tmp_path / "t.txt").write_bytes(ENCODED[encoding](text))
    (doc,) = read(tmp_path / "t.txt")
    assert isinstance(doc, Document)
    assert doc.text == text
    assert doc.meta["encoding"] == encoding


@pytest.mark.parametrize("length", [8, 40, None], ids=["8-chars", "40-chars", "whole"])
def test_big5_traditional_text_reads_back_exactly(tmp_path: Path, length: int | None):
    text = big5_text()[:length]
    (tmp_path / "t.txt").write_bytes(text.encode("big5"))
    (doc,) = read(tmp_path / "t.txt")
    assert isinstance(doc, Document)
    assert doc.text == text
    assert doc.meta["encoding"] == "big5"


# A Tang poem with lacunae (□), in both scripts: too "messy" for charset-normalizer's default.
POEM_SIMPLIFIED = (
    "别有经行所，迥跨重峦侧。\n粤因求瘼余，倏想寻真域。\n放情恣披拂，杖策聊□□。\n"
    "□□□□□，□□□□色。\n乱幡雾中见，雁塔云间识。\n薄烟幂远郊，遥峰没归翼。\n"
    "仙桥危石架，幽洞乘□□。\n□□□□□，□□□易测。\n二教无先后，一相平而直。\n"
    "冀兹捐俗心，永怀依妙力。"
)
POEM_TRADITIONAL = (
    "別有經行所，迥跨重巒側。\n粵因求瘼餘，倏想尋真域。\n放情恣披拂，杖策聊□□。\n"
    "□□□□□，□□□□色。\n亂幡霧中見，雁塔雲間識。\n薄煙冪遠郊，遙峰沒歸翼。\n"
    "仙橋危石架，幽洞乘□□。\n□□□□□，□□□易測。\n二教無先後，一相平而直。\n"
    "冀茲捐俗心，永懷依妙力。"
)


@pytest.mark.parametrize(
    ("codec", "text"),
    [("gb18030", POEM_SIMPLIFIED), ("big5", POEM_TRADITIONAL)],
    ids=["gb18030", "big5"],
)
def test_chinese_with_many_lacuna_marks_is_still_recognised(tmp_path: Path, codec: str, text: str):
    (tmp_path / "poem.txt").write_bytes(text.encode(codec))
    (doc,) = read(tmp_path / "poem.txt")
    assert isinstance(doc, Document) and doc.text == text and doc.meta["encoding"] == codec


def test_big5_source_text_is_substantial_and_traditional():
    text = big5_text()
    assert len(text) > 1000
    assert "國" in text and "国" not in text


def test_utf8_with_a_bad_byte_is_not_taken_for_gb18030(tmp_path: Path):
    text = seed_text("002")
    data = text.encode()
    path = tmp_path / "t.txt"
    cut = len(text[:1000].encode())
    path.write_bytes(data[:cut] + b"\xff" + data[cut:])
    assert read(path) == [
        Skipped(
            str(path),
            f"cannot decode as UTF-8, UTF-16, GB18030 or Big5 (invalid utf-8 at byte {cut})",
        )
    ]
    jsonl = tmp_path / "t.jsonl"
    paragraphs = [p for p in text.splitlines() if p.strip()]
    assert len(paragraphs) > 10
    lines = [json.dumps({"text": p}, ensure_ascii=False).encode() for p in paragraphs]
    lines[3] = lines[3][:-3] + b"\xff" + lines[3][-3:]
    jsonl.write_bytes(b"\n".join(lines))
    items = read(jsonl)
    assert skips(items) == [Skipped(f"{jsonl}:4", "cannot decode the line as utf-8")]
    assert [d.text for d in docs(items)] == paragraphs[:3] + paragraphs[4:]


def test_plain_utf8_has_no_encoding_in_meta(tmp_path: Path):
    (tmp_path / "t.txt").write_text("纯文本", "utf-8")
    (doc,) = read(tmp_path / "t.txt")
    assert isinstance(doc, Document) and "encoding" not in doc.meta


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised_when_it_holds_ascii(tmp_path: Path, codec: str):
    text = seed_text("003")[:300]
    assert any(c.isascii() for c in text)
    (tmp_path / "t.txt").write_bytes(text.encode(codec))
    (doc,) = read(tmp_path / "t.txt")
    assert isinstance(doc, Document) and doc.text == text and doc.meta["encoding"] == codec


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(
            "Le café était très bon, merci.".encode("cp1252"),
            "cannot decode as UTF-8, UTF-16, GB18030 or Big5",
            id="latin1-not-supported",
        ),
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
            "binary file (contains NUL bytes)",
            id="png",
        ),
        pytest.param(
            bytes(range(1, 32)) * 10, "binary file (many control bytes)", id="control-bytes"
        ),
        pytest.param(b"", "empty file", id="empty"),
        pytest.param(b"\xef\xbb\xbf", "empty file", id="bom-only"),
    ],
)
def test_unreadable_text_files(tmp_path: Path, data: bytes, reason: str):
    path = tmp_path / "x.txt"
    path.write_bytes(data)
    assert read(path) == [Skipped(str(path), reason)]


def test_whitespace_only_text_is_skipped_with_its_id(tmp_path: Path):
    path = tmp_path / "blank.txt"
    path.write_text(" \n\u3000\t\n", "utf-8")
    assert read(path) == [Skipped(str(path), "no text (only whitespace)", "blank.txt")]


def test_gb18030_jsonl_and_csv(tmp_path: Path):
    text = seed_text("004")[:200]
    jsonl = tmp_path / "g.jsonl"
    jsonl.write_bytes(
        (json.dumps({"id": "g", "text": text}, ensure_ascii=False) + "\n").encode("gb18030")
    )
    table = tmp_path / "g.csv"
    table.write_bytes(f'id,text\nc,"{text}"\n'.encode("gb18030"))
    assert [(d.id, d.text) for d in read(jsonl, table)] == [("g", text), ("c", text)]


def test_undecodable_jsonl_line_is_skipped_alone(tmp_path: Path):
    path = tmp_path / "u.jsonl"
    path.write_bytes(b'{"text": "a"}\n{"text": "\xff\xfe\xfd"}\n{"text": "c"}\n')
    items = read(path)
    assert [d.text for d in docs(items)] == ["a", "c"]
    assert skips(items) == [Skipped(f"{path}:2", "cannot decode the line as utf-8")]


# --- other failures -------------------------------------------------------------------------


def test_unsupported_extension_is_skipped_and_the_folder_goes_on(tmp_path: Path):
    (tmp_path / "notes.xyz").write_text("x", "utf-8")
    (tmp_path / "README").write_text("x", "utf-8")
    (tmp_path / "ok.txt").write_text("fine", "utf-8")
    items = read(tmp_path)
    supported = (
        ".txt, .md, .text, .jsonl, .ndjson, .json, .csv, .tsv, .parquet, optionally + .gz/.zst"
    )
    assert items == [
        Skipped(
            str(tmp_path / "README"),
            f"unsupported file type (no extension; supported: {supported})",
        ),
        Skipped(
            str(tmp_path / "notes.xyz"), f"unsupported file type '.xyz' (supported: {supported})"
        ),
        Document("ok.txt", "fine", {"path": str(tmp_path / "ok.txt")}, str(tmp_path / "ok.txt")),
    ]


def test_os_error_on_open_is_skipped_with_its_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "locked.txt"
    path.write_text("secret", "utf-8")

    def refuse(file: Any, *args: Any, **kwargs: Any) -> Any:
        if os.fspath(file) == str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return builtins.open(file, *args, **kwargs)

    monkeypatch.setattr("dedup.io.open", refuse, raising=False)
    assert read(path) == [Skipped(str(path), "cannot read file: Permission denied")]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file_permissions(tmp_path: Path):
    path = tmp_path / "locked.txt"
    path.write_text("secret", "utf-8")
    path.chmod(0)
    try:
        assert read(path) == [Skipped(str(path), "cannot read file: Permission denied")]
    finally:
        path.chmod(0o600)


def test_unreadable_subfolder_is_skipped_and_the_rest_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "hidden-from-us.txt").write_text("x", "utf-8")
    (tmp_path / "b.txt").write_text("b", "utf-8")
    real_scandir = os.scandir

    def scandir(path: Any) -> Any:
        if os.fspath(path) == str(tmp_path / "a"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    items = read(tmp_path)
    assert items == [
        Skipped(str(tmp_path / "a"), "cannot read folder: Permission denied"),
        Document("b.txt", "b", {"path": str(tmp_path / "b.txt")}, str(tmp_path / "b.txt")),
    ]


def test_broken_symlink_is_no_such_file(tmp_path: Path):
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")
    assert read(tmp_path) == [Skipped(str(tmp_path / "gone.txt"), "no such file or folder")]


def test_max_chars_cuts_long_documents_and_records_the_length(tmp_path: Path):
    (tmp_path / "long.txt").write_text("一二三四五六", "utf-8")
    (doc,) = read(tmp_path / "long.txt", max_chars=4)
    assert isinstance(doc, Document) and doc.text == "一二三四" and doc.meta["original_chars"] == 6
    with pytest.raises(ConfigError, match="max_chars"):
        read(tmp_path, max_chars=0)


# --- invariants ---------------------------------------------------------------------------


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.binary(max_size=300),
    suffix=st.sampled_from([".txt", ".jsonl", ".json", ".csv", ".tsv"]),
)
def test_arbitrary_bytes_never_raise(tmp_path: Path, data: bytes, suffix: str):
    path = tmp_path / f"any{suffix}"
    path.write_bytes(data)
    for item in read_documents([path]):
        assert isinstance(item, (Document, Skipped))
        if isinstance(item, Skipped):
            assert item.source.startswith(str(path)) and item.reason


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(
        st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from("\n\t"), min_size=1
    ),
    codec=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]),
)
def test_any_text_round_trips_through_a_unicode_file(tmp_path: Path, text: str, codec: str):
    assume(not (codec == "utf-8" and text.startswith("\ufeff")))  # would read as a BOM
    path = tmp_path / "t.txt"
    path.write_bytes(text.encode(codec))
    (item,) = read(path)
    if text.isspace():
        assert item == Skipped(str(path), "no text (only whitespace)", "t.txt")
    else:
        assert isinstance(item, Document) and item.text == text


@pytest.mark.parametrize(
    "record",
    [
        '{"id": 123456789012345678901234567890, "text": "big integer id"}',
        '{"id": "f", "text": "float meta", "score": 0.1, "deep": [{"x": 1e-7}]}',
        '{"id": "n", "text": "not a number", "v": NaN, "w": -Infinity}',
        '{"id": "h", "text": "huge", "v": 1e400}',
        '{"id": "d", "text": "first", "text": "duplicate key: the last wins"}',
        '{"id": "u", "text": "\\u81fa\\u7063 escaped, \\ud83d\\ude00 a pair"}',
        '{"id": "k", "text": "nested", "m": {"a": [1, {"b": [true, null]}]}}',
    ],
    ids=["big-int", "floats", "nan", "huge-float", "duplicate-key", "escapes", "nested"],
)
def test_jsonl_records_are_what_json_loads_gives(tmp_path: Path, record: str):
    """The fast reader (orjson) hands over exactly the record of the standard json module,
    save numbers that strict JSON cannot write: those are kept as their literal, a string."""
    path = tmp_path / "r.jsonl"
    path.write_text(record + "\n", "utf-8")

    def finite(literal: str) -> float | str:
        return float(literal) if math.isfinite(float(literal)) else literal

    expected = json.loads(record, parse_constant=str, parse_float=finite)
    (doc,) = docs(read(path))
    assert doc.id == str(expected["id"])
    assert doc.text == expected["text"]
    meta = {k: v for k, v in expected.items() if k not in ("id", "text")}
    assert json.dumps(doc.meta, sort_keys=True) == json.dumps(meta, sort_keys=True)
    assert [type(v) for v in doc.meta.values()] == [type(v) for v in meta.values()]


def test_jsonl_lines_longer_than_a_read_chunk(tmp_path: Path):
    """Lines that span chunk boundaries, end exactly at one, or lack the last newline."""
    texts = ["長" * 700_000, "x", "短" * 10, "尾" * 349_525]
    path = tmp_path / "long.jsonl"
    body = "\n".join(json.dumps({"id": str(i), "text": t}) for i, t in enumerate(texts))
    path.write_text(body, "utf-8")  # no newline at the end
    assert [d.text for d in docs(read(path))] == texts
    with gzip.open(tmp_path / "long.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write(body + "\n")
    assert [d.text for d in docs(read(tmp_path / "long.jsonl.gz"))] == texts
