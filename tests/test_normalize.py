"""Tests of dedup.normalize: the offset map, idempotence, and each folding step."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.normalize import (
    PUNCTUATION_FOLDS,
    SENTENCE_END,
    cjk_ratio,
    classify_difference,
    is_cjk,
    normalize,
    normalize_many,
)
from dedup.options import NormalizeOptions

# Text drawn from the characters normalization cares about: CJK (both scripts, both widths),
# Latin in both widths and cases, combining marks, compatibility forms, every kind of space,
# invisible characters, and the punctuation table.
_ALPHABET = (
    "中文臺灣台湾國国說说經经發发薴苧苎乾隆"
    "abcABCＡＢＣａｂｃ0123０１２ßİﬁ㈱①"
    "e\u0301\u0308\u0323\u0327\u1100\u1161\u11a8가"
    " \t\n\u3000\u00a0\u2028"
    "\u200b\u200c\u200d\u2060\ufeff\x00\x07\u00ad\ufe0f"
    ",.!?;:，。！？；：、…⋯-—–～〜·・" + "".join(PUNCTUATION_FOLDS)
)
texts = st.text(alphabet=_ALPHABET, max_size=60)
any_texts = st.text(max_size=40)
both_options = st.builds(NormalizeOptions, t2s=st.booleans(), fold_punctuation=st.booleans())


@settings(max_examples=300, deadline=None)
@given(texts, both_options)
def test_normalizing_twice_changes_nothing(text: str, options: NormalizeOptions) -> None:
    once = normalize(text, options).text
    assert normalize(once, options).text == once


@settings(max_examples=200, deadline=None)
@given(any_texts)
def test_idempotent_on_any_unicode(text: str) -> None:
    once = normalize(text).text
    assert normalize(once).text == once


@settings(max_examples=300, deadline=None)
@given(texts | any_texts, st.integers(min_value=0, max_value=10_000))
def test_offsets_lie_inside_the_original(text: str, base: int) -> None:
    n = normalize(text, base=base)
    assert len(n.starts) == len(n.ends) == len(n.text)
    for i in range(len(n.text)):
        assert base <= n.starts[i] < n.ends[i] <= base + len(text)
        if i:
            assert n.starts[i - 1] <= n.starts[i]
            assert n.ends[i - 1] <= n.ends[i]


# Characters no step changes (in any context), and noise that never turns into one of them.
_STABLE = "abcxyz019中文的是了"
_NOISE = "QRＱＲｑｒ　 \t\n\u00a0\u200b\ufeff\x00，。、“”—…⋯·；：！？臺灣國㈱②ﬁ"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_STABLE + _NOISE, max_size=60), both_options)
def test_map_is_exact_where_a_char_is_unchanged(text: str, options: NormalizeOptions) -> None:
    n = normalize(text, options)
    kept = [(n.starts[i], n.ends[i]) for i, c in enumerate(n.text) if c in _STABLE]
    assert kept == [(i, i + 1) for i, c in enumerate(text) if c in _STABLE]


def test_map_points_at_the_source_of_each_char() -> None:
    text = "  甲㈱e\u0301乙　，ＡＢ…丙\u200b丁  "
    n = normalize(text)
    assert n.text == "甲(株)é乙,ab...丙丁"
    sources = [text[a:b] for a, b in zip(n.starts, n.ends, strict=True)]
    assert sources == [
        "甲",
        "㈱",
        "㈱",
        "㈱",
        "e\u0301",
        "乙",
        "，",
        "Ａ",
        "Ｂ",
        "…",
        "…",
        "…",
        "丙",
        "丁",
    ]


@pytest.mark.parametrize("prefix", ["000", "001", "002", "004"])
def test_seed_in_traditional_characters_normalizes_equal(prefix: str) -> None:
    # The seeds converted to traditional by OpenCC's own s2t. (003 is left out: s2t turns its
    # 熏 into 燻, which t2s takes to 薰, a different simplified character.)
    import opencc

    (path,) = (Path(__file__).resolve().parent.parent / "seeds").glob(f"{prefix}_*.txt")
    simplified = path.read_text(encoding="utf-8")
    traditional = opencc.OpenCC("s2t").convert(simplified)
    assert traditional != simplified
    assert normalize(traditional).text == normalize(simplified).text


def test_base_shifts_every_offset() -> None:
    plain = normalize("臺灣，ABC")
    shifted = normalize("臺灣，ABC", base=100)
    assert shifted.text == plain.text
    assert list(shifted.starts) == [s + 100 for s in plain.starts]
    assert list(shifted.ends) == [e + 100 for e in plain.ends]


def _fullwidth(text: str) -> str:
    """The fullwidth form of every ASCII character (space becomes U+3000)."""
    return "".join(
        "\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text
    )


@pytest.mark.parametrize(
    "half",
    [
        "西藏自治区强化党建引领,推动基层治理!(2021年)",
        "Hello, World! It's 2024: 100% (ok).",
        "中文 mixed with English, 123; done?",
    ],
)
def test_fullwidth_and_halfwidth_normalize_equal(half: str) -> None:
    full = _fullwidth(half)
    assert full != half
    assert normalize(full).text == normalize(half).text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E) | st.just(" ")))
def test_fullwidth_ascii_normalizes_like_ascii(half: str) -> None:
    assert normalize(_fullwidth(half)).text == normalize(half).text


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("西藏自治區強化黨建引領，推動基層治理", "西藏自治区强化党建引领，推动基层治理"),
        ("臺灣的經濟發展與國際關係", "台湾的经济发展与国际关系"),
    ],
)
def test_traditional_and_simplified_normalize_equal(traditional: str, simplified: str) -> None:
    assert normalize(traditional).text == normalize(simplified).text
    assert normalize(traditional, NormalizeOptions(t2s=False)).text != normalize(simplified).text


@settings(max_examples=200, deadline=None)
@given(texts, st.sampled_from("\u200b\u200c\u200d\u2060\ufeff"), st.data())
def test_zero_width_chars_vanish(text: str, zw: str, data: st.DataObject) -> None:
    at = data.draw(st.integers(0, len(text)))
    n = normalize(text[:at] + zw + text[at:])
    assert not set(n.text) & set("\u200b\u200c\u200d\u2060\ufeff")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("中文 中文", "中文中文"),  # space between CJK removed
        ("中文\u3000\u3000中文", "中文中文"),
        ("中文\n中文", "中文中文"),
        ("中文 abc", "中文abc"),  # touches CJK on one side
        ("他说： “你好”", '他说:"你好"'),  # looks across punctuation
        ("hello   world\n\tagain", "hello world again"),
        ("hello\u00a0world", "hello world"),
        ("  leading and trailing  ", "leading and trailing"),
        ("Hello, world", "hello, world"),
    ],
)
def test_whitespace_folding(text: str, expected: str) -> None:
    assert normalize(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("好。", "好."),
        ("好｡", "好."),
        ("好．", "好."),
        ("甲、乙", "甲,乙"),
        ("“甲”「乙」『丙』«x»", '"甲""乙""丙""x"'),
        ("‘甲’", "'甲'"),
        ("甲——乙", "甲-乙"),
        ("甲—–―‒－乙", "甲-乙"),
        ("甲……", "甲..."),
        ("甲⋯⋯", "甲..."),
        ("甲…", "甲..."),
        ("wait....", "wait..."),
        ("【甲】〔乙〕〖丙〗［丁］", "[甲][乙][丙][丁]"),
        ("《甲》〈乙〉", "<甲><乙>"),
        ("（甲）", "(甲)"),
        ("甲·乙・丙•丁", "甲·乙·丙·丁"),
    ],
)
def test_punctuation_folding(text: str, expected: str) -> None:
    assert normalize(text).text == expected


def test_punctuation_folding_can_be_switched_off() -> None:
    assert normalize("“甲”——乙。", NormalizeOptions(fold_punctuation=False)).text == "“甲”——乙。"


def test_nfkc_expansions_and_compositions() -> None:
    assert normalize("㈱").text == "(株)"
    assert normalize("e\u0301").text == "é"
    assert normalize("ﬁ①").text == "fi1"
    assert normalize("\u1100\u1161\u11a8").text == "각"


def test_latin_is_case_folded() -> None:
    assert normalize("Straße ÉCOLE").text == normalize("strasse école").text


def test_control_chars_removed() -> None:
    assert normalize("a\x00b\x07c\u00add").text == "abcd"


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        ("中文 中文", "中文中文", "whitespace"),
        ("a\nb", "a  b", "whitespace"),
        ("同一篇文章，两个来源！", "同一篇文章,两个来源!", "width"),
        ("ＡＢＣ", "abc", "width"),
        ("臺灣", "台湾", "traditional"),
        ("臺灣，", "台湾,", "traditional"),  # width + t2s
        ("薴", "苎", "traditional"),  # a conversion that chains
        ("“好”", '"好"', "punctuation"),
        ("好。", "好.", "punctuation"),
        ("臺灣。", "台湾.", "punctuation"),  # t2s + punctuation
        ("甲", "乙", "text"),
    ],
)
def test_classify_difference(a: str, b: str, kind: str) -> None:
    assert classify_difference(a, b) == kind
    assert classify_difference(b, a) == kind


def test_classify_difference_respects_options() -> None:
    assert classify_difference("臺灣", "台湾", NormalizeOptions(t2s=False)) == "text"
    assert classify_difference("“好”", '"好"', NormalizeOptions(fold_punctuation=False)) == "text"


@settings(max_examples=200, deadline=None)
@given(texts, texts)
def test_classify_agrees_with_normalize(a: str, b: str) -> None:
    # A pair classified as anything but "text" normalizes to the same matching key, up to
    # whitespace (which normalization keeps between Latin words).
    if classify_difference(a, b) != "text":
        assert normalize(a).text.replace(" ", "") == normalize(b).text.replace(" ", "")


def test_is_cjk() -> None:
    assert all(is_cjk(c) for c in "中國かカ한。、「」（，𠀀")
    assert not any(is_cjk(c) for c in "aZ1,.!é \u3000")


@pytest.mark.parametrize(
    ("text", "ratio"),
    [("中文 ab", 0.5), ("\u3000\u3000中文", 1.0), ("abc", 0.0), ("   ", 0.0), ("", 0.0)],
)
def test_cjk_ratio(text: str, ratio: float) -> None:
    assert cjk_ratio(text) == ratio


def test_sentence_end_has_both_widths() -> None:
    for c in "。！？!?.…；;":
        assert c in SENTENCE_END
    assert "”" in SENTENCE_END
    assert "，" not in SENTENCE_END


def test_nfkc_of_output_is_stable() -> None:
    text = "Ｔｅｓｔ　㈱ 臺灣 e\u0301 ①"
    out = normalize(text).text
    assert unicodedata.normalize("NFKC", out) == out


@settings(max_examples=300, deadline=None)
@given(st.lists(texts | any_texts, max_size=6), both_options, st.data())
def test_normalize_many_equals_one_by_one(
    pieces: list[str], options: NormalizeOptions, data: st.DataObject
) -> None:
    # The batched fast path and the plain per-text call must agree exactly, maps included.
    bases = data.draw(st.lists(st.integers(0, 1000), min_size=len(pieces), max_size=len(pieces)))
    many = normalize_many(pieces, options, bases=bases)
    single = [normalize(p, options, base=b) for p, b in zip(pieces, bases, strict=True)]
    assert [n.text for n in many] == [n.text for n in single]
    assert [list(n.starts) for n in many] == [list(n.starts) for n in single]
    assert [list(n.ends) for n in many] == [list(n.ends) for n in single]


def test_normalize_many_keeps_texts_apart() -> None:
    # Across a boundary: no dash run, no mark composition, no space decision, no t2s phrase.
    pieces = ["甲—", "—乙", "\u0301x", "word ,", "中文", "e"]
    assert [n.text for n in normalize_many(pieces)] == [normalize(p).text for p in pieces]
    assert normalize_many(["a\uffffb", "c"])[0].text == normalize("a\uffffb").text


def test_t2s_that_changes_length_keeps_the_map_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    # OpenCC's own dictionaries never change lengths; a phrase table that does must still map
    # every output character to its source.
    import dedup.normalize as mod

    monkeypatch.setattr(mod, "_t2s_converter", lambda: lambda s: s.replace("臺灣", "台"))
    text = "在臺灣，好。臺灣"
    n = normalize(text)
    assert n.text == "在台,好.台"
    assert [text[a:b] for a, b in zip(n.starts, n.ends, strict=True)] == [
        "在",
        "臺灣",
        "，",
        "好",
        "。",
        "臺灣",
    ]


@pytest.mark.parametrize(
    ("phrase", "to"),
    [("臺灣", "台"), ("臺灣", "台湾省"), ("在臺", "X在台"), ("灣好", "湾好Y")],
)
def test_t2s_length_changes_map_every_char(
    monkeypatch: pytest.MonkeyPatch, phrase: str, to: str
) -> None:
    import dedup.normalize as mod

    monkeypatch.setattr(mod, "_t2s_converter", lambda: lambda s: s.replace(phrase, to))
    text = "在臺灣好"
    n = normalize(text, NormalizeOptions(fold_punctuation=False))
    assert n.text == text.replace(phrase, to)
    assert all(0 <= a < b <= len(text) for a, b in zip(n.starts, n.ends, strict=True))
    assert list(n.starts) == sorted(n.starts)
    # characters outside the phrase map to exactly themselves
    at = text.index(phrase)
    for i, c in enumerate(n.text):
        if c in text and not at <= text.index(c) < at + len(phrase):
            assert (n.starts[i], n.ends[i]) == (text.index(c), text.index(c) + 1)
