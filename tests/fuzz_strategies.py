"""Hypothesis strategies for hostile text, and the fuzz profiles.

Text from the open web and old archives mixes everything: combining marks stacked on any base,
lone surrogates (from broken ``\\u`` escapes), right-to-left runs with bidi controls, emoji with
skin-tone modifiers and zero-width joiners, many scripts in one line, and every character
Unicode or an old system ever used to break a line. :func:`hostile_text` draws from all of it,
mixed with plausible Chinese and English so that paragraphs, sentences and near-duplicates
also occur.

Profiles: ``fuzz-small`` (the default, for ``make test``) and ``fuzz`` (10,000 examples per
target, for ``make fuzz``), chosen by the ``DEDUP_FUZZ_PROFILE`` environment variable and applied
per test with :data:`FUZZ`, so other test modules keep their own settings.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

settings.register_profile(
    "fuzz-small",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = os.environ.get("DEDUP_FUZZ_PROFILE", "fuzz-small")
FUZZ = settings(settings.get_profile(PROFILE))
"""Decorator: the active fuzz profile (``@FUZZ`` above ``@given``)."""

LINE_BREAKS = (
    "\n",
    "\r\n",
    "\r",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x1d",
    "\x1e",
    "\x85",
    "\u2028",
    "\u2029",
)
"""Every line or paragraph separator Unicode knows (``str.splitlines`` splits on all of them)."""

SPACES = (
    " ",
    "\t",
    "\u00a0",
    "\u3000",
    "\u2003",
    "\u200b",
    "\u202f",
    "\ufeff",
    "  ",
    "\u3000\u3000",
)

FRAGMENTS = (
    # combining marks, stacked and orphaned
    "e\u0301",
    "\u0301",
    "a\u0308\u0323\u0301",
    "\u0915\u094d\u0937",  # Devanagari conjunct
    "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d",  # "zalgo"
    # right-to-left, bidi controls
    "שלום עולם",
    "مرحبا بالعالم",
    "\u202eevil\u202c",
    "\u200f\u200e\u2066x\u2069",
    # emoji with modifiers, ZWJ sequences, flags, keycaps, variation selectors
    "👍🏽",
    "👨\u200d👩\u200d👧\u200d👦",
    "🇨🇳🇹🇼",
    "1\ufe0f\u20e3",
    "❤\ufe0f",
    "🏳\ufe0f\u200d🌈",
    # CJK: traditional/simplified, fullwidth, compatibility ideographs, extension B
    "臺灣，ＡＢＣ。",
    "第一段，很长的文字。",
    "丽\uf900\U00020000",
    "「引號」『書名』",
    "……——",
    # other scripts
    "Привет, мир.",
    "สวัสดีครับ",
    "ﬁﬂ ẞ İı",
    "Ⅻ ① ㈱ ㍻",
    # markup and template syntax (data, never code)
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    '" onmouseover="x',
    # controls
    "\x00",
    "\x1b[31m",
    "\x7f\x9f",
)

_SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
_ANY_CHAR = st.characters(codec=None, categories=None)  # every code point, surrogates included
_MARKS = st.characters(categories=["Mn", "Mc", "Me"])
_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
_RTL = st.characters(min_codepoint=0x0590, max_codepoint=0x06FF)
_EMOJI = st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF)
_MODIFIERS = st.sampled_from(["\U0001f3fb", "\U0001f3ff", "\u200d", "\ufe0f", "\ufe0e"])

_piece = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.sampled_from(LINE_BREAKS),
    st.sampled_from(SPACES),
    st.text(_ANY_CHAR, max_size=6),
    st.text(_MARKS, min_size=1, max_size=4),
    st.text(_CJK, min_size=1, max_size=20),
    st.text(_RTL, min_size=1, max_size=8),
    st.builds(lambda e, m: e + m, _EMOJI, _MODIFIERS),
    _SURROGATES,
    st.text(st.sampled_from("abc xyz.,!?"), min_size=1, max_size=20),
)


@st.composite
def hostile_text(draw: st.DrawFn, max_pieces: int = 24, surrogates: bool = True) -> str:
    """Text made of hostile pieces: any code point, marks, RTL, emoji, every line break."""
    pieces = draw(st.lists(_piece, max_size=max_pieces))
    text = "".join(pieces)
    if not surrogates:
        text = "".join(c for c in text if not 0xD800 <= ord(c) <= 0xDFFF)
    return text


@st.composite
def document_pair(draw: st.DrawFn) -> tuple[str, str]:
    """Two texts that share some paragraphs (so alignment has work to do) plus hostile ones."""
    shared = draw(st.lists(hostile_text(max_pieces=6), min_size=0, max_size=5))
    a_own = draw(st.lists(hostile_text(max_pieces=6), max_size=3))
    b_own = draw(st.lists(hostile_text(max_pieces=6), max_size=3))
    sep = draw(st.sampled_from(["\n", "\n\n", "\r\n", "\u2029", "\u3000\u3000"]))
    a_paras = draw(st.permutations(shared + a_own))
    b_paras = draw(st.permutations(shared + b_own))
    return sep.join(a_paras), sep.join(b_paras)
