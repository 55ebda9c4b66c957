"""Tests of dedup.segment: paragraph breaks, mending of hard-broken lines, and the seeds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.normalize import normalize
from dedup.segment import matching_text, paragraphs, split_paragraphs

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


# --- invariants ----------------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "第一段。",
        "没有标点的一行",
        "很长的一行正文被硬换行在句子中间了所以后面应该接着下一行继续写下去",
        "逗号结尾，",
        "An English line",
        "- item",
        "Subject: hi",
        "\n",
        "\n\n",
        "\r\n",
        "\u3000\u3000",
        "  ",
        " ",
        "\u2029",
        "\f",
        "\t",
    ]
)
documents = st.lists(_PIECES, max_size=25).map("".join) | st.text(max_size=80)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_spans_are_ordered_trimmed_and_lose_nothing(text: str) -> None:
    spans = split_paragraphs(text)
    covered = bytearray(len(text))
    prev_end = 0
    for span in spans:
        assert prev_end <= span.start < span.end <= len(text)
        body = span.slice(text)
        assert body == body.strip() and body
        covered[span.start : span.end] = b"\x01" * len(span)
        prev_end = span.end
    lost = [c for c, hit in zip(text, covered, strict=True) if not hit and not c.isspace()]
    assert lost == []


@settings(max_examples=200, deadline=None)
@given(documents)
def test_paragraph_maps_point_inside_their_spans(text: str) -> None:
    for i, p in enumerate(paragraphs(text)):
        assert p.index == i and p.text
        assert len(p.starts) == len(p.ends) == len(p.text)
        pairs = zip(p.starts, p.ends, strict=True)
        assert all(p.span.start <= s < e <= p.span.end for s, e in pairs)


# --- breaks --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("甲。\n乙。", ["甲。", "乙。"], id="newline"),
        pytest.param("甲。\r\n\r\n乙。", ["甲。", "乙。"], id="crlf-blank"),
        pytest.param("甲。\r乙。\u2028丙。\u2029丁。\f戊。", list("甲乙丙丁戊"), id="other-breaks"),
        pytest.param("甲。\u3000\u3000乙。", ["甲。", "乙。"], id="ideographic-indent"),
        pytest.param("\u3000\u3000甲。\u3000\u3000乙。", ["甲。", "乙。"], id="leading-indent"),
        pytest.param("甲 乙  丙", ["甲 乙  丙"], id="ascii-double-space-no-break"),
        pytest.param("甲。\u3000乙。", ["甲。\u3000乙。"], id="single-ideographic-space"),
    ],
)
def test_breaks(text: str, expected: list[str]) -> None:
    got = [s.slice(text) for s in split_paragraphs(text)]
    if all(len(e) == 1 for e in expected):
        got = [g.rstrip("。") for g in got]
    assert got == expected


def test_empty_paragraphs_are_dropped() -> None:
    text = "甲。\n\u200b\u200b\n乙。"
    assert len(split_paragraphs(text)) == 3
    assert [p.text for p in paragraphs(text)] == ["甲.", "乙."]
    assert [p.index for p in paragraphs(text)] == [0, 1]


def test_matching_text_joins_paragraphs() -> None:
    assert matching_text(paragraphs("臺灣。\n\nＡＢＣ")) == "台湾.\nabc"


# --- mending -------------------------------------------------------------------------------------

# A body line broken mid-word. (As a document's first line it would read as a title, so tests
# that mend it put a sentence before it.)
LONG = "各驻村工作队始终将教育引导各族群众坚决维护习近平总书记的核心地位维护党中央权威和集中统"
LEAD = "开头。\n"


@pytest.mark.parametrize(
    ("text", "n"),
    [
        pytest.param(LEAD + LONG + "\n\n一领导。", 2, id="long-line"),
        pytest.param("全区以创新社会治理、维护和谐稳定为主要内容，\n\n巩固成果。", 1, id="comma"),
        pytest.param("补齐基层党组织建设短板,增强政治功能和组织力\n阿里地区。", 2, id="heading"),
        pytest.param(LONG + "。\n\n下一段。", 2, id="sentence-end"),
        pytest.param(
            "开头。\n" + LONG[:20] + "  " + LONG[20:] + "\n\n正文。", 3, id="spaced-title"
        ),
        pytest.param(LONG + "\n\n正文。", 2, id="first-line-title"),
        pytest.param("开头。\n" + LONG + "\n\n正文。", 2, id="long-line-not-first"),
        pytest.param(LONG + "。□\n\n下一篇的标题", 2, id="end-mark-after-sentence"),
        pytest.param(LEAD + LONG + "□\n\n接着写。", 2, id="end-mark-alone"),
        pytest.param(LONG + "\u3000\u3000一领导。", 2, id="never-across-indent"),
        pytest.param(LONG + "\n\u3000\u3000一领导。", 2, id="indented-next-line"),
    ],
)
def test_mending(text: str, n: int) -> None:
    assert len(split_paragraphs(text)) == n


def test_mended_paragraph_reads_as_one_sentence() -> None:
    text = LEAD + LONG + "\n\n一领导。"
    _, p = paragraphs(text)
    assert p.text == LONG + "一领导."
    assert p.span.slice(text) == LONG + "\n\n一领导。"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(LONG + "20\n11年。", LONG + "2011年.", id="digits-joined"),
        pytest.param(
            LONG + "班子members\nand群众。", LONG + "班子members and群众.", id="words-kept"
        ),
        pytest.param(LONG + "1,\n2。", LONG + "1,2.", id="punctuation-joined"),
    ],
)
def test_mended_break_inside_non_cjk_text(text: str, expected: str) -> None:
    _, p = paragraphs(LEAD + text)
    assert p.text == expected
    assert all(p.span.start <= s < e <= p.span.end for s, e in zip(p.starts, p.ends, strict=True))


def test_english_hard_wrapped_prose_is_one_paragraph() -> None:
    text = (
        "This is a paragraph of prose that was\nhard-wrapped by a mail client at a\n"
        "fixed width.\n\nA second paragraph.\n\nItems:\n- one\n- two\n\n"
        "From: a@example.org\nSubject: hello\n"
    )
    got = [s.slice(text) for s in split_paragraphs(text)]
    assert got == [
        "This is a paragraph of prose that was\nhard-wrapped by a mail client at a\nfixed width.",
        "A second paragraph.",
        "Items:",
        "- one",
        "- two",
        "From: a@example.org",
        "Subject: hello",
    ]
    assert paragraphs(text)[0].text.count("\n") == 0


def test_email_quotes_break_where_the_quote_depth_changes() -> None:
    text = (
        "Someone writes:\n> quoted line one\n> quoted line two\n>\n> second quoted\n"
        ">> deeper\nMy answer, wrapped\nover two lines.\n"
    )
    got = [s.slice(text) for s in split_paragraphs(text)]
    assert got == [
        "Someone writes:",
        "> quoted line one\n> quoted line two",
        ">",
        "> second quoted",
        ">> deeper",
        "My answer, wrapped\nover two lines.",
    ]


@pytest.mark.parametrize("lines", [4, 8])
def test_regular_verse_is_not_taken_for_hard_wrapped_text(lines: int) -> None:
    # Every line 12 characters long, but each ends with punctuation: one paragraph per line.
    couplet = ["秦川雄帝宅，函谷壯皇居。", "綺殿千尋起，離宮百雉餘。"]
    text = "\n".join(couplet * (lines // 2))
    assert len(split_paragraphs(text)) == lines


# --- the seeds -----------------------------------------------------------------------------------

# Counts checked by eye: every paragraph of each seed printed (first and last characters) and read
# against the file. 000 is one line joined by ideographic indents: title + 22 body paragraphs.
# 001 has 22 lines. 002-004 keep their headings, bylines and captions as paragraphs of their own
# and mend the body lines broken mid-sentence (a line ending without 。！？ in the middle of a
# word or after "，", continued after a blank line): 002 has 57 non-blank lines and 6 such
# breaks, 003 has 34 and 4, 004 has 50 and 6 (one paragraph there is broken twice).
SEED_PARAGRAPHS = {"000": 23, "001": 22, "002": 51, "003": 30, "004": 44}


@pytest.mark.parametrize(("prefix", "count"), sorted(SEED_PARAGRAPHS.items()))
def test_seed_paragraph_counts(prefix: str, count: int) -> None:
    assert len(paragraphs(seed(prefix))) == count


@pytest.mark.parametrize(
    ("prefix", "lines", "mended"), [("002", 57, 6), ("003", 34, 4), ("004", 50, 6)]
)
def test_seed_mended_break_counts(prefix: str, lines: int, mended: int) -> None:
    text = seed(prefix)
    spans = split_paragraphs(text)
    assert sum(1 for line in text.splitlines() if line.strip()) == lines
    assert sum(s.slice(text).count("\n\n") for s in spans) == mended
    assert len(spans) == lines - mended


def test_seed_000_title_keeps_its_ascii_spaces() -> None:
    text = seed("000")
    title = paragraphs(text)[0]
    assert title.span.slice(text) == "西藏自治区强化党建引领，推动基层治理——强基惠民  稳边固边"


def test_seed_000_body_normalizes_equal_to_001() -> None:
    ours, theirs = paragraphs(seed("000")), paragraphs(seed("001"))
    assert len(ours) == len(theirs) + 1
    for i, (a, b) in enumerate(zip(ours[1:], theirs, strict=True)):
        assert a.text == b.text, f"paragraph {i}"


@pytest.mark.parametrize(
    ("prefix", "broken_end", "continued_start"),
    [
        ("002", "主要内容，", "巩固“不忘初心"),
        ("002", "科学确", "定包户"),
        ("003", "维护党中央权威和集中统", "一领导，坚定不移"),
        ("003", "一是大力加强爱", "国主义宣传教育"),
        ("003", "加强优", "秀青年"),
        ("004", "以系统观念和“工匠精神”抓实", "党建工作，持续推进"),
        ("004", "森格社区党支部充分发挥党组", "织“主引擎”作用"),
    ],
)
def test_seed_breaks_are_mended(prefix: str, broken_end: str, continued_start: str) -> None:
    text = seed(prefix)
    assert re.search(re.escape(broken_end) + r"\s*\n\s*" + re.escape(continued_start), text)
    (p,) = [p for p in paragraphs(text) if broken_end in p.span.slice(text)]
    assert continued_start in p.span.slice(text)
    assert normalize(broken_end + continued_start).text in p.text


@pytest.mark.parametrize(
    "heading",
    [
        "强化党组织统筹协调功能",
        "坚守初心牢记使命",
        "勇担政治责任，把政协制度优势转化为治边稳藏效能",
    ],
)
def test_seed_headings_stay_alone(heading: str) -> None:
    text = next(seed(p) for p in ("002", "003", "004") if heading in seed(p))
    assert heading in [s.slice(text) for s in split_paragraphs(text)]


def _wrap(paragraph: str, width: int) -> list[str]:
    return [paragraph[i : i + width] for i in range(0, len(paragraph), width)]


@pytest.mark.parametrize("prefix", ["000", "001"])
def test_hard_wrapped_seed_gives_the_same_paragraphs(prefix: str) -> None:
    text = seed(prefix)
    # Each paragraph on one line (mended breaks taken out), then wrapped at 37 characters.
    unwrapped = [re.sub(r"\s*\n\s*", "", s.slice(text)) for s in split_paragraphs(text)]
    # A paragraph whose last line fills the width cannot be told from a wrapped one; the seeds
    # used here have none.
    assert all(len(u) % 37 not in (0, 36) for u in unwrapped)
    wrapped = "\n".join(line for u in unwrapped for line in _wrap(u, 37))
    assert wrapped.count("\n") > 2 * len(unwrapped)
    assert [p.text for p in paragraphs(wrapped)] == [p.text for p in paragraphs(text)]
