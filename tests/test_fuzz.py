"""Fuzzing every text stage with hostile Unicode: no exception, and the invariants hold.

Guards against: offsets that point outside the original (reports would show the wrong text or
crash on slicing), paragraphs that overlap or lose characters, shingling or alignment that
raises on marks, surrogates or odd line breaks, and merges that drop a paragraph.

``make test`` runs the small profile; ``make fuzz`` runs 10,000 examples per target
(``DEDUP_FUZZ_PROFILE=fuzz``).
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import numpy as np
from fuzz_strategies import FUZZ, LINE_BREAKS, document_pair, hostile_text
from hypothesis import given
from hypothesis import strategies as st

from dedup.align import align
from dedup.document import Document, Skipped
from dedup.io import read_documents
from dedup.merge import collate, merge_collation, merge_documents
from dedup.normalize import normalize, normalize_many
from dedup.options import NormalizeOptions, Options
from dedup.pipeline import run
from dedup.segment import paragraphs, split_paragraphs
from dedup.shingle import shingle_hashes, shingles, tokens
from dedup.sketch import sketch

OPTION_SETS = st.sampled_from(
    [
        NormalizeOptions(),
        NormalizeOptions(t2s=False),
        NormalizeOptions(fold_punctuation=False),
        NormalizeOptions(t2s=False, fold_punctuation=False),
    ]
)


def _check_map(text: str, out: str, starts: object, ends: object, base: int = 0) -> None:
    starts, ends = list(starts), list(ends)  # type: ignore[call-overload]
    assert len(starts) == len(ends) == len(out)
    for s, e in zip(starts, ends, strict=True):
        assert base <= s < e <= base + len(text), (s, e, len(text))
    assert starts == sorted(starts), "offsets go backwards"


# --- normalize ---------------------------------------------------------------------------------


@FUZZ
@given(hostile_text(), OPTION_SETS, st.integers(0, 1000))
def test_normalize_offsets_stay_inside_the_original(
    text: str, options: NormalizeOptions, base: int
) -> None:
    n = normalize(text, options, base=base)
    _check_map(text, n.text, n.starts, n.ends, base)


@FUZZ
@given(hostile_text(), OPTION_SETS)
def test_normalize_is_idempotent_and_clean(text: str, options: NormalizeOptions) -> None:
    once = normalize(text, options).text
    assert normalize(once, options).text == once
    assert once == once.strip(" ")
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in once), "lone surrogate survived"
    assert not any(c in once for c in LINE_BREAKS), "line break survived"


@FUZZ
@given(st.lists(hostile_text(max_pieces=8), max_size=6), OPTION_SETS)
def test_normalize_many_equals_one_by_one(texts: list[str], options: NormalizeOptions) -> None:
    bases = [7 * i for i in range(len(texts))]
    many = normalize_many(texts, options, bases=bases)
    for text, base, got in zip(texts, bases, many, strict=True):
        one = normalize(text, options, base=base)
        assert (got.text, list(got.starts), list(got.ends)) == (
            one.text,
            list(one.starts),
            list(one.ends),
        )


# --- segment -----------------------------------------------------------------------------------


@FUZZ
@given(hostile_text(max_pieces=40))
def test_paragraph_spans_cover_every_visible_character_once(text: str) -> None:
    spans = split_paragraphs(text)
    end = 0
    for span in spans:
        assert end <= span.start < span.end <= len(text), "paragraphs overlap or leave the text"
        end = span.end
    covered = np.zeros(len(text), dtype=np.int8)
    for span in spans:
        covered[span.start : span.end] += 1
    for i, c in enumerate(text):
        if covered[i] == 0:
            assert c.isspace() or c in LINE_BREAKS or c == "\u200b", f"lost {c!r} at {i}"


@FUZZ
@given(hostile_text(max_pieces=40), OPTION_SETS)
def test_normalized_paragraphs_map_inside_their_span(text: str, options: NormalizeOptions) -> None:
    paras = paragraphs(text, options)
    assert [p.index for p in paras] == list(range(len(paras)))
    spans = {(s.start, s.end) for s in split_paragraphs(text)}
    for p in paras:
        assert p.text, "empty paragraph kept"
        assert (p.span.start, p.span.end) in spans
        _check_map(text, p.text, p.starts, p.ends)
        assert p.span.start <= p.starts[0] and p.ends[-1] <= p.span.end
        # every normalized character's source lies inside the paragraph
        pairs = zip(p.starts, p.ends, strict=True)
        assert all(p.span.start <= s and e <= p.span.end for s, e in pairs)


# --- shingle -----------------------------------------------------------------------------------


@FUZZ
@given(hostile_text(), st.integers(1, 8), st.integers(1, 5))
def test_shingles_are_sorted_unique_and_follow_the_tokens(text: str, cjk: int, word: int) -> None:
    norm = normalize(text).text
    hashes = shingle_hashes(norm, cjk, word)
    assert hashes.dtype == np.uint32
    assert np.all(np.diff(hashes.astype(np.int64)) > 0)
    toks = tokens(norm)
    assert bool(toks) == bool(len(hashes))
    assert len(shingles(norm, cjk, word)) <= len(toks)
    pos = 0
    for tok, _ in toks:  # tokens are substrings of the text, in order
        found = norm.find(tok, pos)
        assert found >= 0
        pos = found + len(tok)


@FUZZ
@given(hostile_text())
def test_sketch_never_fails(text: str) -> None:
    sk = sketch(text, Options(num_perm=16))
    assert len(sk.signature) == 16
    assert sk.length >= 0


# --- align -------------------------------------------------------------------------------------


def _check_alignment(a: Document, b: Document) -> None:
    result = align(a, b)
    n_a, n_b = len(paragraphs(a.text)), len(paragraphs(b.text))
    seen_a = sorted(i for op in result.ops for i in op.a)
    seen_b = sorted(i for op in result.ops for i in op.b)
    assert seen_a == list(range(n_a)), "an A paragraph is missing or aligned twice"
    assert seen_b == list(range(n_b)), "a B paragraph is missing or aligned twice"
    assert 0.0 <= result.similarity <= 1.0
    for op in result.ops:
        for span, doc in ((op.a_span, a), (op.b_span, b)):
            if span is not None:
                assert span.end <= len(doc.text)
        for hunk in op.hunks:
            assert hunk.a_span.end <= len(a.text) and hunk.b_span.end <= len(b.text)
    assert align(b, a) == result.mirror()


@FUZZ
@given(document_pair())
def test_align_covers_every_paragraph_once(pair: tuple[str, str]) -> None:
    _check_alignment(Document("a", pair[0]), Document("b", pair[1]))


@FUZZ
@given(hostile_text(max_pieces=30))
def test_align_with_itself_is_identical(text: str) -> None:
    result = align(Document("a", text), Document("b", text))
    assert result.identical
    assert all(op.kind == "equal" for op in result.ops)


# --- merge -------------------------------------------------------------------------------------


@FUZZ
@given(st.lists(document_pair(), min_size=1, max_size=2))
def test_merge_keeps_every_paragraph_of_every_member(pairs: list[tuple[str, str]]) -> None:
    texts = [t for pair in pairs for t in pair]
    docs = [Document(f"m{i}", t) for i, t in enumerate(texts)]
    for policy in ("representative", "majority", "longest"):
        merged = merge_documents(docs, policy)
        placed: dict[str, list[int]] = {d.id: [] for d in docs}
        for p in merged.paragraphs:
            assert p.text == p.chosen.text
            for reading in p.readings:
                placed[reading.member].extend(reading.paragraphs)
        for d in docs:
            assert sorted(placed[d.id]) == list(range(len(paragraphs(d.text)))), d.id
        rep = next(d for d in docs if d.id == merged.representative)
        if policy == "representative":
            for para in paragraphs(rep.text):
                assert para.span.slice(rep.text) in merged.text


@FUZZ
@given(document_pair())
def test_collation_rows_hold_each_paragraph_once(pair: tuple[str, str]) -> None:
    a, b = Document("a", pair[0]), Document("b", pair[1])
    table = collate([a, b], "a", [align(a, b)])
    merged = merge_collation(table)
    assert len(merged.paragraphs) == len(table.rows)
    for k, doc in enumerate((a, b)):
        got = sorted(i for row in table.rows if row.readings[k] for i in row.readings[k].paragraphs)
        assert got == list(range(len(paragraphs(doc.text))))


# --- whole pipeline and readers ----------------------------------------------------------------


@FUZZ
@given(st.lists(hostile_text(max_pieces=10), max_size=6))
def test_pipeline_accounts_for_every_document(texts: list[str]) -> None:
    items = [(f"d{i}", t) for i, t in enumerate(texts)]
    result = run(items, Options(num_perm=16, threshold=0.5), workers=1)
    kept = {d.id for d in result.kept()}
    removed = {d.id for d in result.removed()}
    assert kept | removed == {i for i, _ in items}
    assert not kept & removed


@FUZZ
@given(st.binary(max_size=300), st.sampled_from(["x.txt", "x.jsonl", "x.json", "x.csv"]))
def test_readers_never_raise_on_any_bytes(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        items = list(read_documents([path]))
    assert items, "a file must give a document or a skip reason"
    for item in items:
        assert isinstance(item, (Document, Skipped))
        if isinstance(item, Document):
            assert item.text and not item.text.isspace()
        else:
            assert item.reason


@FUZZ
@given(
    st.lists(
        st.fixed_dictionaries({"id": hostile_text(max_pieces=3), "text": hostile_text()}),
        min_size=1,
    )
)
def test_jsonl_on_stdin_round_trips_any_text(records: list[dict[str, str]]) -> None:
    lines = "".join(json.dumps(r) + "\n" for r in records)  # escapes surrogates as \\udXXX
    items = list(read_documents(["-"], stdin=io.BytesIO(lines.encode("ascii"))))
    assert len(items) == len(records)
    for record, item in zip(records, items, strict=True):
        if isinstance(item, Document):  # JSON joins an escaped surrogate pair into one character
            assert item.text == json.loads(json.dumps(record["text"]))
        else:
            assert item.reason
