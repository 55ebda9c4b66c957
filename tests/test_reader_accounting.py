"""Every input is read whole or reported, one record never stops a run, and no file is read
that was not asked for (issue 16).

Guards against: a NaN, an infinity, a float beyond range (``1e400``), an integer too long to
convert, or deep nesting in one record ending the whole run after all its work (the writers
emit strict JSON); a CSV quote never closed swallowing every row after it without a word; a
damaged gzip or zstd file losing the records decoded just before the damage (or, for zstd, a
file cut short read as if whole); a symbolic link in a corpus putting a file from elsewhere
(``/etc/shadow``) into the reports, and folder links walking in circles.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import os
import random
import shutil
import subprocess
import time
import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dedup import io as readers
from dedup.cli import main
from dedup.document import Document, Skipped
from dedup.ingest import InputPart
from dedup.io import LineBlock, read_documents
from dedup.options import Options, ReadOptions
from dedup.parallel import SERIAL_PARTS, ingest_parts
from dedup.report.files import dumps, write_json
from dedup.spill import read_document

HUGE = "9" * 5000  # more digits than Python converts to an int (4300)
HOSTILE = {  # JSON line -> the meta it gives
    '{"id": "nan", "text": "alpha beta gamma", "x": NaN}': {"x": "NaN"},
    '{"id": "inf", "text": "delta epsilon zeta", "x": Infinity, "y": -Infinity}': {
        "x": "Infinity",
        "y": "-Infinity",
    },
    '{"id": "big", "text": "eta theta iota", "x": 1e400, "y": -2.5E+999, "z": 1e-400}': {
        "x": "1e400",
        "y": "-2.5E+999",
        "z": 0.0,
    },
    f'{{"id": "huge", "text": "kappa lambda mu", "x": {HUGE}, "y": 12345678901234567890123}}': {
        "x": HUGE,
        "y": 12345678901234567890123,
    },
    '{"id": "nested", "text": "nu xi omicron", "m": {"a": [1.5, NaN, {"b": [-Infinity]}]}}': {
        "m": {"a": [1.5, "NaN", {"b": ["-Infinity"]}]}
    },
    '{"id": "deep-ok", "text": "pi rho sigma", "m": ' + "[" * 255 + "]" * 255 + "}": {
        "m": json.loads("[" * 255 + "]" * 255)
    },
}
TOO_DEEP = {  # JSON line -> nesting
    '{"id": "deep", "text": "tau upsilon phi", "m": ' + "[" * 256 + "]" * 256 + "}": 257,
    '{"id": "deeper", "text": "chi psi omega", "m": ' + "[" * 900 + "]" * 900 + "}": 901,
    '{"id": "deepest", "text": "one two three", "m": ' + "[" * 50_000 + "]" * 50_000 + "}": 50_001,
}
DEEP_REASON = "nested more than 256 levels deep (arrays and objects within each other)"


def _refuse(token: str) -> Any:
    raise ValueError(f"not strict JSON: {token}")


def strict(text: str) -> Any:
    """``json.loads`` that refuses NaN, Infinity and -Infinity, as RFC 8259 does."""
    return json.loads(text, parse_constant=_refuse)


def assert_strict_json_everywhere(out: Path) -> int:
    """Every ``.json`` and ``.jsonl`` file under ``out`` parses as strict JSON; how many."""
    files = [p for p in out.rglob("*") if p.suffix in (".json", ".jsonl")]
    for path in files:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            strict(text)
        else:
            for line in text.splitlines():
                strict(line)
    return len(files)


def read(*inputs: str | Path, **options: Any) -> list[Document | Skipped]:
    return list(read_documents(list(inputs), ReadOptions(**options)))


def docs(items: list[Document | Skipped]) -> list[Document]:
    return [i for i in items if isinstance(i, Document)]


def skips(items: list[Document | Skipped]) -> list[Skipped]:
    return [i for i in items if isinstance(i, Skipped)]


def run(*args: str | Path) -> tuple[int, dict[str, Any], str]:
    """``dedupe run ARGS --json``: exit code, summary, stderr."""
    result = CliRunner().invoke(main, ["run", *map(str, args), "--json"])
    summary = strict(result.stdout) if result.exit_code == 0 else {}
    return result.exit_code, summary, result.stderr


def kept_and_removed(out: Path) -> dict[str, dict[str, Any]]:
    kept = [strict(line) for line in (out / "deduplicated.jsonl").read_text("utf-8").splitlines()]
    removed = [strict(line) for line in (out / "removed.jsonl").read_text("utf-8").splitlines()]
    return {r["id"]: r for r in kept + removed}


def filler(count: int, seed: int = 1) -> list[str]:
    """``count`` JSON lines of about 1.5 KB each that share few shingles (no duplicates)."""
    rng = random.Random(seed)
    words = [f"w{i:05d}" for i in range(20_000)]
    return [
        json.dumps({"id": f"f{i}", "text": " ".join(rng.choices(words, k=220))})
        for i in range(count)
    ]


# --- numbers JSON cannot write, nesting -------------------------------------------------


def _id(line: str) -> str:
    return str(json.loads(line, parse_constant=str, parse_int=str)["id"])


@pytest.mark.parametrize("line", list(HOSTILE), ids=[_id(line) for line in HOSTILE])
def test_numbers_strict_json_cannot_write_are_kept_as_their_literal(tmp_path: Path, line: str):
    path = tmp_path / "r.jsonl"
    path.write_text(line + "\n", "utf-8")
    (doc,) = read(path)
    assert isinstance(doc, Document), doc
    assert doc.meta == HOSTILE[line]
    strict(dumps(doc.meta))
    for value in _leaves(doc.meta):
        assert type(value) in (str, int, float, bool, type(None))  # plain types, no subclass


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def test_a_literal_gives_back_the_number_python_would_read(tmp_path: Path):
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(HOSTILE) + "\n", "utf-8")
    by_id = {d.id: d for d in docs(read(path))}
    assert math.isnan(float(by_id["nan"].meta["x"]))
    assert float(by_id["inf"].meta["y"]) == -math.inf
    assert float(by_id["big"].meta["x"]) == json.loads("1e400")


def test_a_number_where_text_or_id_goes(tmp_path: Path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"id": NaN, "text": NaN}\n{"id": 1e400, "text": "fine words"}\n', "utf-8")
    assert read(path) == [
        Skipped(f"{path}:1", "field 'text' is a number, not a string", "NaN"),
        Document("1e400", "fine words", {}, f"{path}:2"),
    ]


@pytest.mark.parametrize("line", list(TOO_DEEP), ids=[f"depth-{d}" for d in TOO_DEEP.values()])
def test_nesting_too_deep_to_carry_is_a_skip_with_its_line(tmp_path: Path, line: str):
    path = tmp_path / "deep.jsonl"
    path.write_text('{"text": "before"}\n' + line + '\n{"text": "after"}\n', "utf-8")
    items = read(path)
    assert [d.text for d in docs(items)] == ["before", "after"]
    assert skips(items) == [Skipped(f"{path}:2", DEEP_REASON)]


def test_both_parsers_agree_on_every_hostile_line():
    """orjson (the fast path) refuses or defers each of these lines to the json path, and a
    block gives what the lines give one by one."""
    lines = [*HOSTILE, *TOO_DEEP]
    data = ("\n".join(lines) + "\n").encode()
    block = LineBlock("p.jsonl", "p.jsonl", 1, "utf-8", data, ReadOptions())
    by_block = readers.parse_lines(block)
    one_by_one = []
    for number, line in enumerate(lines, 1):
        cursor = readers._Cursor("p.jsonl", "p.jsonl", number)
        one_by_one.extend(readers._json_line(line, "utf-8", cursor, ReadOptions()))
    assert by_block == one_by_one
    assert len(docs(by_block)) == len(HOSTILE) and len(skips(by_block)) == len(TOO_DEEP)


def test_json_array_carries_literals_and_reads_on_after_a_too_deep_element(tmp_path: Path):
    path = tmp_path / "a.json"
    deep = "[" * 300 + "]" * 300
    path.write_text(
        f'[\n{{"text": "one", "x": NaN}},\n{{"text": "two", "m": {deep}}},\n'
        f'{{"text": "three", "y": {HUGE}}}\n]\n',
        "utf-8",
    )
    items = read(path)
    assert items == [
        Document("a.json:2", "one", {"x": "NaN"}, f"{path}:2"),
        Skipped(f"{path}:3", DEEP_REASON),
        Document("a.json:4", "three", {"y": HUGE}, f"{path}:4"),
    ]


def test_hostile_records_through_a_run_small_file(tmp_path: Path):
    path = tmp_path / "h.jsonl"
    path.write_text("\n".join([*HOSTILE, *TOO_DEEP]) + "\n", "utf-8")
    out = tmp_path / "out"
    code, summary, err = run(path, "--out", out, "--workers", "1")
    assert code == 0, err
    assert summary["documents"]["input"] == len(HOSTILE) + len(TOO_DEEP)
    assert summary["documents"]["skipped"] == len(TOO_DEEP)
    records = kept_and_removed(out)
    for line, meta in HOSTILE.items():
        assert records[_id(line)]["meta"] == meta
    assert assert_strict_json_everywhere(out) >= 4


def test_hostile_records_through_a_run_in_worker_blocks(tmp_path: Path):
    """A file of many blocks (well past the first block sizes, see LineBlock) is parsed in
    the worker processes; hostile lines at its start, middle and end."""
    lines, places = filler(3000), ("start", "middle", "end")

    def marked(line: str, place: str) -> str:
        line = line.replace('"id": "', f'"id": "{place}-', 1)
        return line.replace('"text": "', f'"text": "{place} ', 1)

    # distinct ids and texts: no hostile record is a duplicate of another
    hostile = {place: [marked(line, place) for line in [*HOSTILE, *TOO_DEEP]] for place in places}
    lines = hostile["start"] + lines[:1500] + hostile["middle"] + lines[1500:] + hostile["end"]
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    parts = list(read_documents([path]).parts())
    assert len(parts) > SERIAL_PARTS + 1 and all(isinstance(p, LineBlock) for p in parts)
    out = tmp_path / "out"
    code, summary, err = run(path, "--out", out, "--workers", "2", "--no-html")
    assert code == 0, err
    assert summary["documents"]["input"] == len(lines)
    deep = [s for s in summary["skipped"] if s["reason"] == DEEP_REASON]
    assert len(deep) == summary["documents"]["skipped"] == 3 * len(TOO_DEEP)
    records = kept_and_removed(out)
    for place in places:
        for line, meta in HOSTILE.items():
            assert records[f"{place}-{_id(line)}"]["meta"] == meta
    assert assert_strict_json_everywhere(out) >= 4


def test_hostile_blocks_parsed_in_a_worker_process(tmp_path: Path):
    """Blocks of hostile lines, read again from their file by offset (as a run sends them),
    parsed in a worker: the same skips, and documents stored with the same meta."""
    path = tmp_path / "h.jsonl"
    path.write_text("\n".join([*HOSTILE, *TOO_DEEP]) + "\n", "utf-8")
    (block,) = read_documents([path]).parts()
    assert isinstance(block, LineBlock)
    sent = block.by_reference()
    assert not sent.data  # the worker reads the bytes itself

    def slowly() -> Iterator[InputPart]:
        for n in range(SERIAL_PARTS + 1):
            yield [Document(f"serial-{n}", f"serial part {n} words")]
        for _ in range(12):
            time.sleep(0.15)  # time for the workers to start while the input still comes
            yield sent

    (tmp_path / "work").mkdir()
    done = list(ingest_parts(slowly(), Options(), 2, tmp_path / "work"))
    expected = readers.parse_lines(block)
    elsewhere = [
        d for d in done[SERIAL_PARTS + 1 :] if not d.hash_path.endswith(f"-{os.getpid()}.bin")
    ]
    assert elsewhere, "no block was parsed in a worker"
    for part in elsewhere:
        assert [i for i in part.items if isinstance(i, Skipped)] == skips(expected)
        ids = [i for i in part.items if isinstance(i, str)]
        assert ids == [d.id for d in docs(expected)]
        for row, doc in enumerate(docs(expected)):
            stored = read_document(
                part.store_path, part.store_offsets[row], part.store_sizes[row], doc.id
            )
            assert stored.meta == doc.meta == HOSTILE[[*HOSTILE][row]]


def test_parquet_with_nan_and_infinite_floats(tmp_path: Path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table(
        {
            "id": ["a", "b", "c"],
            "text": ["first text here", "second text there", "third text elsewhere"],
            "score": [float("nan"), 0.5, float("-inf")],
            "many": [[1.0, float("inf")], [], None],
            "deep": [{"x": float("nan")}, {"x": 2.0}, None],
        }
    )
    path = tmp_path / "nan.parquet"
    pq.write_table(table, path)
    assert [d.meta for d in read(path)] == [
        {"score": "NaN", "many": [1.0, "Infinity"], "deep": {"x": "NaN"}},
        {"score": 0.5, "many": [], "deep": {"x": 2.0}},
        {"score": "-Infinity", "many": None, "deep": None},
    ]
    out = tmp_path / "out"
    code, summary, err = run(path, "--out", out)
    assert code == 0, err
    assert summary["documents"]["read"] == 3
    assert kept_and_removed(out)["a"]["meta"]["score"] == "NaN"
    assert_strict_json_everywhere(out)


def test_report_writers_turn_a_callers_nan_into_a_string(tmp_path: Path):
    """Documents made by a caller (not read by dedup) may hold NaN: still strict JSON."""
    assert strict(dumps({"x": float("nan"), "y": [float("inf")], float("-inf"): 1})) == {
        "x": "NaN",
        "y": ["Infinity"],
        "-Infinity": 1,
    }
    write_json(tmp_path / "s.json", {"x": float("nan")})
    assert strict((tmp_path / "s.json").read_text("utf-8")) == {"x": "NaN"}


# --- CSV: a quote never closed ------------------------------------------------------------


def _csv_rows(path: Path, rows: list[list[str]], broken: dict[int, str]) -> None:
    """Header and ``rows``; the lines of the rows in ``broken`` (by index) written as given."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["id", "text"])
        for i, row in enumerate(rows):
            if i in broken:
                handle.write(broken[i] + "\n")
            else:
                writer.writerow(row)


def test_unclosed_csv_quote_is_reported_and_the_rows_after_it_are_read(tmp_path: Path):
    rows = [[str(i), f"row {i} words"] for i in range(1, 112)]
    path = tmp_path / "t.csv"
    _csv_rows(path, rows, {10: '11,"an unclosed quote starts this field'})
    items = read(path)
    assert len(items) == 111
    (skip,) = skips(items)
    assert skip == Skipped(
        f"{path}:12",
        "not valid CSV: the quote opened on line 12 is never closed (its field would run to "
        "the end of the file): the row is skipped, and the 100 lines after it read again as rows",
        "11",
    )
    assert [d.id for d in docs(items)] == [str(i) for i in range(1, 112) if i != 11]
    assert [d.source for d in docs(items)][-1] == f"{path}:112"
    out = tmp_path / "out"
    code, summary, err = run(path, "--out", out)
    assert code == 0, err
    assert summary["documents"]["input"] == 111
    assert summary["documents"]["read"] == 110
    assert "the quote opened on line 12 is never closed" in err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            'id,text\n1,"closed\nat the end"',
            [Document("1", "closed\nat the end", {}, "{path}:2")],
            id="closed-at-the-very-end",
        ),
        pytest.param(
            'id,text\n1,fine\n2,"',
            [
                Document("1", "fine", {}, "{path}:2"),
                Skipped(
                    "{path}:3",
                    "not valid CSV: the quote opened on line 3 is never closed (its field would "
                    "run to the end of the file): the row is skipped",
                    "2",
                ),
            ],
            id="quote-on-the-last-line",
        ),
        pytest.param(
            'id,text\n1,"two\nlines" ,"x\n2,y\n',
            [
                Skipped(
                    "{path}:3",
                    "not valid CSV: the quote opened on line 3 (in the row that begins on line 2)"
                    " is never closed (its field would run to the end of the file): the row is "
                    "skipped, and the 1 line after it read again as rows",
                    "1",
                ),
                Document("2", "y", {}, "{path}:4"),
            ],
            id="opened-after-a-closed-multiline-field",
        ),
        pytest.param(  # what a quote closed by a later stray quote would be: not told apart
            'id,text\n1,"a\n2,"b\n3,c\n',
            [Document("1", "a\n2,b", {}, "{path}:2"), Document("3", "c", {}, "{path}:4")],
            id="a-later-quote-closes-it",
        ),
    ],
)
def test_csv_quotes_at_the_end(tmp_path: Path, content: str, expected: list[Any]):
    path = tmp_path / "t.csv"
    path.write_text(content, "utf-8")
    assert read(path) == [replace(item, source=item.source.format(path=path)) for item in expected]


def test_unclosed_quote_in_the_header_skips_the_file(tmp_path: Path):
    path = tmp_path / "t.csv"
    path.write_text('id,"text\n1,a\n2,b\n', "utf-8")
    assert read(path) == [
        Skipped(
            f"{path}:1",
            "not valid CSV: the quote opened on line 1 in the header is never closed; the file "
            "was not read",
        )
    ]


# --- damaged gzip and zstd ----------------------------------------------------------------


def _numbered_lines(count: int) -> bytes:
    rng = random.Random(7)
    return "".join(
        json.dumps({"id": str(i), "text": f"{i} {rng.randbytes(40).hex()}"}) + "\n"
        for i in range(count)
    ).encode()


def _gzip_recovers(data: bytes) -> tuple[bytes, int | None]:
    """What ``gzip -dc`` writes for damaged ``data`` (cut after its last newline), and the byte
    where zlib refuses it (``None`` if it does not), by zlib alone: each member in turn, the
    corrupt one fed a byte at a time."""
    out, rest, refused = bytearray(), data, None
    while rest:
        unzip = zlib.decompressobj(31)
        try:
            out += unzip.decompress(rest)
        except zlib.error:
            unzip = zlib.decompressobj(31)
            for i in range(len(rest)):
                try:
                    out += unzip.decompress(rest[i : i + 1])
                except zlib.error:
                    refused = len(data) - len(rest) + i
                    break
            break
        if not unzip.eof:
            break
        rest = unzip.unused_data
    return bytes(out[: out.rfind(b"\n") + 1]), refused


def test_truncated_gzip_is_read_to_its_last_whole_line(tmp_path: Path):
    data = _numbered_lines(8000)
    whole = gzip.compress(data)
    cut = whole[: int(len(whole) * 0.6)]
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(cut)
    recovered = _gzip_recovers(cut)[0]
    expected = recovered.count(b"\n")
    assert 0 < expected < 8000
    if shutil.which("gzip"):  # the tool itself, where there is one
        tool = subprocess.run(["gzip", "-dc", str(path)], capture_output=True, check=False)
        assert tool.stdout[: tool.stdout.rfind(b"\n") + 1] == recovered
    items = read(path)
    assert [d.id for d in docs(items)] == [str(i) for i in range(expected)]
    produced = len(zlib.decompressobj(31).decompress(cut))
    assert skips(items) == [
        Skipped(
            f"{path}:{expected + 1}",
            f"the gzip data ends early (the file stops at byte {len(cut):,}, inside the "
            f"compressed data; {produced:,} bytes decompressed): lines 1-{expected:,} were "
            "read, nothing after them",
        )
    ]


def test_corrupt_gzip_is_read_up_to_the_corrupt_byte(tmp_path: Path):
    first, second = _numbered_lines(3000), _numbered_lines(3000)
    members = gzip.compress(first) + gzip.compress(second)  # two members, as `cat a.gz b.gz`
    damaged = bytearray(members)
    at = len(gzip.compress(first)) + len(gzip.compress(second)) // 2
    damaged[at : at + 8] = b"\xff" * 8
    path = tmp_path / "bad.jsonl.gz"
    path.write_bytes(damaged)
    recovered, refused = _gzip_recovers(bytes(damaged))
    expected = recovered.count(b"\n")
    assert 3000 < expected < 6000 and refused is not None and at <= refused
    items = read(path)
    # every line before the damage is a document, or a skip where zlib gave wrong bytes
    # before it found them wrong (gzip's check comes at the end of the member)
    assert len(items) == expected + 1
    assert [d.id for d in docs(items)][:3000] == [str(i) for i in range(3000)]
    damage = items[-1]
    assert damage.source == f"{path}:{expected + 1}"
    assert damage.reason.startswith(f"the gzip data is corrupt at byte {refused:,} (")
    assert damage.reason.endswith(f": lines 1-{expected:,} were read, nothing after them")


def test_truncated_zstd_is_reported_not_taken_for_whole(tmp_path: Path):
    zstandard = pytest.importorskip("zstandard")
    data = _numbered_lines(20_000)
    whole = zstandard.ZstdCompressor().compress(data)
    cut = whole[: len(whole) // 2]
    path = tmp_path / "cut.jsonl.zst"
    path.write_bytes(cut)
    recovered = zstandard.ZstdDecompressor().decompressobj().decompress(cut)
    expected = recovered.count(b"\n")
    assert 0 < expected < 20_000
    items = read(path)
    assert len(docs(items)) == expected
    (skip,) = skips(items)
    assert skip.source == f"{path}:{expected + 1}"
    assert skip.reason.startswith(
        f"the zstd data ends early (the file stops at byte {len(cut):,}, inside the compressed "
        f"data; {len(recovered):,} bytes decompressed)"
    )


def test_damaged_whole_file_formats_are_skipped_with_the_damage(tmp_path: Path):
    whole = gzip.compress(b"a text document " * 5000)
    (tmp_path / "t.txt.gz").write_bytes(whole[: len(whole) // 2])
    (skip,) = read(tmp_path / "t.txt.gz")
    assert isinstance(skip, Skipped)
    assert skip.reason.startswith("cannot read file: the gzip data ends early")


def test_not_gzip_and_data_after_the_gzip_data(tmp_path: Path):
    (tmp_path / "no.jsonl.gz").write_bytes(b'{"text": "plain, not gzip"}\n')
    assert read(tmp_path / "no.jsonl.gz") == [
        Skipped(
            str(tmp_path / "no.jsonl.gz"),
            "cannot read file: not gzip data (incorrect header check)",
        )
    ]
    whole = gzip.compress(_numbered_lines(10))
    path = tmp_path / "tail.jsonl.gz"
    path.write_bytes(whole + b"trailing junk")
    items = read(path)
    assert len(docs(items)) == 10
    assert skips(items) == [
        Skipped(
            f"{path}:11",
            f"the data from byte {len(whole):,} on, after the end of the gzip data, is not gzip "
            f"(incorrect header check; {len(_numbered_lines(10)):,} bytes decompressed before "
            "it): lines 1-10 were read, nothing after them",
        )
    ]


def test_a_clean_multi_member_gzip_with_padding_reads_whole(tmp_path: Path):
    data = _numbered_lines(100)
    path = tmp_path / "m.jsonl.gz"
    path.write_bytes(gzip.compress(data[:2000]) + gzip.compress(data[2000:]) + b"\0" * 512)
    assert len(docs(read(path))) == 100 and not skips(read(path))


# --- symbolic links -------------------------------------------------------------------------


@pytest.fixture
def linked(tmp_path: Path) -> tuple[Path, Path]:
    """A corpus folder with links out of it (a file, a folder), and links within it."""
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    (corpus / "sub").mkdir(parents=True)
    (outside / "more").mkdir(parents=True)
    (corpus / "a.txt").write_text("inside text", "utf-8")
    (corpus / "sub" / "b.txt").write_text("inside sub text", "utf-8")
    (outside / "secret.txt").write_text("SECRET from elsewhere", "utf-8")
    (outside / "more" / "c.txt").write_text("more from elsewhere", "utf-8")
    (corpus / "secret.txt").symlink_to(outside / "secret.txt")
    (corpus / "elsewhere").symlink_to(outside, target_is_directory=True)
    (corpus / "alias.txt").symlink_to("sub/b.txt")  # within: read
    (corpus / "subalias").symlink_to("sub", target_is_directory=True)  # within: files read in sub
    return corpus, outside


def test_links_out_of_the_folder_are_reported_not_read(linked: tuple[Path, Path]):
    corpus, outside = linked
    items = read(corpus)
    assert [(d.id, d.text) for d in docs(items)] == [
        ("a.txt", "inside text"),
        ("alias.txt", "inside sub text"),
        ("sub/b.txt", "inside sub text"),
    ]
    hint = (
        "not followed; --follow-links (ReadOptions.follow_links) reads it, or give it as an input"
    )
    assert skips(items) == [
        Skipped(
            str(corpus / "elsewhere"),
            f"symbolic link to a folder outside the input folder {corpus} ({outside}): {hint}",
        ),
        Skipped(
            str(corpus / "secret.txt"),
            f"symbolic link to a file outside the input folder {corpus} "
            f"({outside / 'secret.txt'}): {hint}",
        ),
    ]
    assert not any("SECRET" in d.text for d in docs(items))


def test_follow_links_reads_them(linked: tuple[Path, Path]):
    corpus, _ = linked
    items = read(corpus, follow_links=True)
    assert skips(items) == []
    assert [d.id for d in docs(items)] == [
        "a.txt",
        "alias.txt",
        "elsewhere/more/c.txt",
        "elsewhere/secret.txt",
        "secret.txt",
        "sub/b.txt",
    ]


def test_a_link_given_as_an_input_is_read(linked: tuple[Path, Path]):
    corpus, _ = linked
    (doc,) = read(corpus / "secret.txt")
    assert isinstance(doc, Document) and doc.text == "SECRET from elsewhere"
    assert [d.id for d in docs(read(corpus / "elsewhere"))] == ["more/c.txt", "secret.txt"]


def test_follow_links_on_the_command_line(linked: tuple[Path, Path], tmp_path: Path):
    corpus, _ = linked
    code, summary, err = run(corpus, "--out", tmp_path / "out")
    assert code == 0, err
    assert summary["documents"]["skipped"] == 2
    assert "--follow-links" in err
    assert sorted(kept_and_removed(tmp_path / "out")) == ["a.txt", "alias.txt", "sub/b.txt"]
    code, summary, err = run(corpus, "--out", tmp_path / "out2", "--follow-links")
    assert code == 0, err
    assert summary["documents"] == {**summary["documents"], "input": 6, "skipped": 0}


def test_folder_link_loops_end_and_read_each_file_once(tmp_path: Path):
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    corpus.mkdir()
    outside.mkdir()
    (corpus / "a.txt").write_text("a", "utf-8")
    (outside / "o.txt").write_text("o", "utf-8")
    (corpus / "up").symlink_to(".", target_is_directory=True)  # a loop within
    (corpus / "out").symlink_to(outside, target_is_directory=True)
    (outside / "self").symlink_to(".", target_is_directory=True)  # a loop outside
    (outside / "back").symlink_to(corpus, target_is_directory=True)  # and back in
    assert [d.id for d in docs(read(corpus))] == ["a.txt"]
    items = read(corpus, follow_links=True)
    assert [d.id for d in docs(items)] == ["a.txt", "out/o.txt"]
    assert skips(items) == []


def test_link_loop_files_and_dangling_links_are_reported(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "loop.txt").symlink_to("loop.txt")
    (corpus / "gone.txt").symlink_to(tmp_path / "nowhere.txt")  # out of the folder
    items = read(corpus)
    assert [s.source for s in skips(items)] == [str(corpus / "gone.txt"), str(corpus / "loop.txt")]
    assert "outside the input folder" in skips(items)[0].reason
    assert "symbolic links" in skips(items)[1].reason  # ELOOP, as the system says it
    assert os.path.islink(corpus / "loop.txt")
