"""Paragraph alignment: seeds, hand-made cases, the parts of the path search, and invariants."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest
from conftest import seed_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from variants import hard_wrap, traditional

from dedup.align import OP_KINDS, Alignment, align, alignment_to_dict
from dedup.align.path import Match, best_chain, exact_anchors, match_paragraphs
from dedup.document import Document, Paragraph
from dedup.normalize import normalize
from dedup.segment import paragraphs as segment


def line_paragraphs(text: str) -> list[Paragraph]:
    """Every non-blank line is a paragraph: no mending, so hard wraps stay apart."""
    out: list[Paragraph] = []
    for m in re.finditer(r"[^\n]+", text):
        n = normalize(m.group(), base=m.start())
        if n.text:
            out.append(Paragraph(len(out), _span(m.start(), m.end()), n.text, n.starts, n.ends))
    return out


def _span(start: int, end: int):  # noqa: ANN202 (a Span)
    from dedup.document import Span

    return Span(start, end)


def covered(alignment: Alignment) -> tuple[list[int], list[int]]:
    a = sorted(i for op in alignment.ops for i in op.a)
    b = sorted(j for op in alignment.ops for j in op.b)
    return a, b


def kinds(alignment: Alignment) -> list[str]:
    return [op.kind for op in alignment.ops]


# --- seeds ---------------------------------------------------------------------------------


def test_seed_000_vs_001_is_22_variants_and_the_title() -> None:
    a, b = seed_text("000"), seed_text("001")
    result = align(a, b)
    assert result.counts["variant"] == 22
    assert sum(result.counts.values()) == 23
    (title,) = [op for op in result.ops if op.kind != "variant"]
    assert title.kind == "delete" and title.a == (0,) and title.b == ()
    assert title.a_span is not None
    assert title.a_span.slice(a).startswith("西藏自治区强化党建引领")
    hunks = [h for op in result.ops for h in op.hunks]
    assert hunks and {h.kind for h in hunks} <= {"width", "punctuation"}
    assert not result.identical

    back = align(b, a)
    assert back.counts["insert"] == 1 and back.counts["variant"] == 22
    (title_back,) = [op for op in back.ops if op.kind == "insert"]
    assert title_back.b == (0,)


def test_variant_hunks_point_at_the_original_characters() -> None:
    a, b = seed_text("000"), seed_text("001")
    for op in align(a, b).ops:
        for h in op.hunks:
            x, y = h.a_span.slice(a), h.b_span.slice(b)
            assert len(x) == len(y) == 1 and x != y
            assert unicodedata.normalize("NFKC", x) == y


def test_seed_003_against_a_hard_wrapped_copy() -> None:
    text = seed_text("003")
    wrapped = hard_wrap(text, 37)
    result = align(text, wrapped)
    n_a = len(segment(text))
    assert covered(result)[0] == list(range(n_a))
    assert set(kinds(result)) <= {"equal", "variant", "split"}
    assert not any(op.has_text_hunk for op in result.ops)
    assert result.identical


def test_hard_wrapped_lines_group_into_one_paragraph_each() -> None:
    text = seed_text("003")
    lines = [line for line in text.split("\n") if line.strip()]
    wrapped = hard_wrap(text, 45)  # the longest paragraph takes 10 lines
    pa, pb = line_paragraphs(text), line_paragraphs(wrapped)
    result = align(text, wrapped, a_paragraphs=pa, b_paragraphs=pb)
    expected, j = [], 0
    for i, line in enumerate(lines):
        n = -(-len(line) // 45)
        expected.append(((i,), tuple(range(j, j + n))))
        j += n
    assert [(op.a, op.b) for op in result.ops] == expected
    assert all(op.kind == ("split" if len(op.b) > 1 else "equal") for op in result.ops)
    assert result.identical


def test_traditional_characters_are_a_minor_variant() -> None:
    text = seed_text("001")
    result = align(text, traditional(text))
    assert result.identical
    hunk_kinds = {h.kind for op in result.ops for h in op.hunks}
    assert "traditional" in hunk_kinds and "text" not in hunk_kinds


def test_unrelated_seeds_share_no_grouping() -> None:
    result = align(seed_text("000"), seed_text("003"))
    assert set(kinds(result)) == {"insert", "delete"}
    assert result.similarity == 0.0


# --- small cases -----------------------------------------------------------------------------

BASE = [  # lengths differ, so the segmenter does not take them for hard-wrapped lines
    "春天来了，山上的桃花开得正好。",
    "今年的雨水比往年多，田里的庄稼长势喜人，农民们都很高兴。",
    "镇上新修了一条公路，从村口一直通到县城，出门办事方便多了，孩子上学也近了。",
    "学校里来了两位新老师，一位教语文，一位教数学，都很年轻，课讲得生动有趣，学生们都很喜欢他们。",
    "晚上大家聚在广场上跳舞。",
]


def doc(paragraphs: list[str]) -> str:
    return "\n".join(paragraphs)


def test_edit_insert_and_delete() -> None:
    edited = BASE[1].replace("农民们都很高兴", "农民们都笑了")
    other = "这是一段和别的段落都没有关系的文字，讲的是城市里的交通问题和停车难。"
    result = align(doc(BASE), doc([BASE[0], edited, BASE[2], other, BASE[4]]))
    assert kinds(result) == ["equal", "edit", "equal", "delete", "insert", "equal"]
    op = result.ops[1]
    assert [h.kind for h in op.hunks] == ["text"]
    b_text = doc([BASE[0], edited, BASE[2], other, BASE[4]])
    assert op.hunks[0].b_span.slice(b_text) in {"笑了", "都笑了"}
    assert not result.identical


def test_a_moved_paragraph_is_a_move() -> None:
    moved = [BASE[0], BASE[2], BASE[3], BASE[1], BASE[4]]
    result = align(doc(BASE), doc(moved))
    assert result.counts["move"] == 1
    (move,) = [op for op in result.ops if op.kind == "move"]
    assert move.a == (1,) and move.b == (3,)
    assert kinds(result) == ["equal", "move", "equal", "equal", "equal"]


def test_split_and_merge_mirror_each_other() -> None:
    half = len(BASE[2]) // 2
    split = [BASE[0], BASE[1], BASE[2][:half], BASE[2][half:], BASE[3], BASE[4]]
    result = align(doc(BASE), doc(split), a_paragraphs=line_paragraphs(doc(BASE)),
                   b_paragraphs=line_paragraphs(doc(split)))  # fmt: skip
    assert [(op.kind, op.a, op.b) for op in result.ops if op.kind != "equal"] == [
        ("split", (2,), (2, 3))
    ]
    back = align(doc(split), doc(BASE), a_paragraphs=line_paragraphs(doc(split)),
                 b_paragraphs=line_paragraphs(doc(BASE)))  # fmt: skip
    assert [(op.kind, op.a, op.b) for op in back.ops if op.kind != "equal"] == [
        ("merge", (2, 3), (2,))
    ]


def test_exact_anchors_are_unique_and_in_order() -> None:
    assert exact_anchors(["x", "y", "x", "z", "w"], ["y", "z", "x", "w"]) == [
        (1, 0),
        (3, 1),
        (4, 3),
    ]
    assert exact_anchors(["", "a"], ["", "a"]) == [(1, 1)]


def test_best_chain_prefers_the_heavier_non_crossing_set() -> None:
    cands = [
        Match(0, 1, 0, 1, 1.0, 5.0),
        Match(1, 2, 1, 2, 1.0, 5.0),
        Match(0, 2, 0, 1, 1.0, 8.0),  # overlaps both
        Match(1, 2, 0, 1, 1.0, 4.0),  # crosses the first
    ]
    assert best_chain(cands) == cands[:2]
    assert best_chain([cands[2], cands[3]]) == [cands[2]]


def test_match_paragraphs_groups_a_split_paragraph() -> None:
    matches, t = match_paragraphs(["甲乙丙丁戊己庚辛壬癸"], ["甲乙丙丁戊", "己庚辛壬癸"])
    assert [(m.a0, m.a1, m.b0, m.b1) for m in matches] == [(0, 1, 0, 2)]
    assert 0.0 < t < 1.0


def test_json_form_is_plain_and_ordered() -> None:
    a_doc = Document("x", doc(BASE))
    b_doc = Document("y", doc([BASE[0], BASE[1].replace("，", ","), BASE[3]]))
    result = align(a_doc, b_doc)
    data = alignment_to_dict(result, a_doc, b_doc)
    comma = len(BASE[0]) + 1 + BASE[1].index("，")
    assert list(data) == ["a_id", "b_id", "identical", "similarity", "threshold", "counts", "ops"]
    assert list(data["counts"]) == list(OP_KINDS)
    assert data["ops"][1]["hunks"][0] == {
        "tag": "replace",
        "kind": "width",
        "a_span": [comma, comma + 1],
        "b_span": [comma, comma + 1],
        "a_text": "，",
        "b_text": ",",
    }
    assert json.loads(json.dumps(data)) == data


# --- invariants ------------------------------------------------------------------------------

SEED_PARAGRAPHS = [p for p in seed_text("003").split("\n") if p.strip()][:12]

edits = st.lists(
    st.tuples(st.integers(0, 200), st.sampled_from(["", "的", "，", ",", " ", "臺", "X"])),
    max_size=4,
)


@st.composite
def versions(draw: st.DrawFn) -> tuple[str, str]:
    """Two versions of one article: chosen paragraphs, reordered a little, edited a little."""
    picks = draw(st.lists(st.sampled_from(SEED_PARAGRAPHS), min_size=1, max_size=6))
    other = list(picks)
    for pos, ch in draw(edits):
        if other:
            k = pos % len(other)
            p = other[k]
            i = pos % (len(p) + 1)
            other[k] = p[:i] + ch + p[i + 1 :]
    if draw(st.booleans()) and len(other) > 1:
        other.append(other.pop(0))
    layout = draw(st.sampled_from(["\n", "\n\n", "\u3000\u3000"]))
    return "\n".join(picks), layout.join(other)


fast = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(st.lists(st.sampled_from(SEED_PARAGRAPHS), min_size=1, max_size=8))
def test_a_document_aligned_with_itself_is_all_equal(picks: list[str]) -> None:
    text = "\n".join(picks)
    result = align(text, text)
    assert set(kinds(result)) == {"equal"}
    assert result.identical and result.similarity == 1.0


@fast
@given(versions())
def test_mirror(pair: tuple[str, str]) -> None:
    a, b = Document("A", pair[0]), Document("B", pair[1])
    assert align(b, a) == align(a, b).mirror()


@fast
@given(versions())
def test_every_paragraph_once_and_spans_inside(pair: tuple[str, str]) -> None:
    a, b = pair
    result = align(a, b)
    n_a, n_b = len(segment(a)), len(segment(b))
    assert covered(result) == (list(range(n_a)), list(range(n_b)))
    for op in result.ops:
        assert op.kind in OP_KINDS
        assert (op.a_span is None) == (not op.a) and (op.b_span is None) == (not op.b)
        if op.a_span is not None:
            assert op.a_span.end <= len(a)
        if op.b_span is not None:
            assert op.b_span.end <= len(b)
        for h in op.hunks:
            assert op.a_span is not None and op.b_span is not None
            assert op.a_span.start <= h.a_span.start <= h.a_span.end <= op.a_span.end
            assert op.b_span.start <= h.b_span.start <= h.b_span.end <= op.b_span.end
            assert h.a_span.slice(a) != h.b_span.slice(b)
        if op.kind == "variant":
            assert op.hunks and not op.has_text_hunk
        if op.kind == "edit":
            assert op.has_text_hunk
        if op.kind in ("equal", "insert", "delete"):
            assert not op.hunks


def test_paragraph_indices_must_be_positions() -> None:
    ps = line_paragraphs("一段。\n二段。")
    with pytest.raises(ValueError, match="indices"):
        align("x", "y", a_paragraphs=ps[1:], b_paragraphs=ps)


def test_a_moved_and_split_paragraph_is_one_move() -> None:
    half = len(BASE[3]) // 2
    b_paras = [BASE[3][:half], BASE[3][half:], BASE[0], BASE[1], BASE[2], BASE[4]]
    a_text, b_text = doc(BASE), doc(b_paras)
    result = align(
        a_text, b_text, a_paragraphs=line_paragraphs(a_text), b_paragraphs=line_paragraphs(b_text)
    )
    moves = [(op.a, op.b) for op in result.ops if op.kind == "move"]
    assert moves == [((3,), (0, 1))]
    assert covered(result) == ([0, 1, 2, 3, 4], [0, 1, 2, 3, 4, 5])
