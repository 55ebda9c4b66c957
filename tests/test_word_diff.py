"""``render_unified``: real edits pinpointed, minor ones marked apart, colours never escaped."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from conftest import seed_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.align import Alignment, align
from dedup.cli import main
from dedup.document import Document
from dedup.report.text import render_unified, visible

SGR = re.compile(r"\x1b\[[0-9;]*m")

A_SPRING = "今年春天，北京的气温比往年高五度，雨水也多。\n第二段没有变。"
B_SPRING = "今年春天,北京的气温比往年高八度,雨水也多。\n第二段没有变。"


def diff(a: str, b: str, *, color: bool = False) -> str:
    a_doc, b_doc = Document("a", a), Document("b", b)
    return render_unified(align(a_doc, b_doc), a_doc, b_doc, color=color)


def body(out: str) -> list[str]:
    """The lines after the ``---``/``+++``/``#`` header of the diff."""
    return out.split("\n")[3:]


def paint(text: str, **style: Any) -> str:
    return click.style(text, **style)


# --- plain text ------------------------------------------------------------------------------


def test_one_real_edit_among_width_differences_is_one_star_line() -> None:
    assert body(diff(A_SPRING, B_SPRING)) == [
        "@@ edit A1 = B1 score 0.955 (hunks: width 2, text 1) @@",
        "*今年春天{~，~>,~}北京的气温比往年高[-五-]{+八+}度{~，~>,~}雨水也多。",
        "  第二段没有变。",
        "",
    ]


@pytest.mark.parametrize(
    ("b_first", "line"),
    [
        (
            "今年春天，北京的气温比往年高度，雨水也多。",
            "*今年春天，北京的气温比往年高[-五-]度，雨水也多。",
        ),
        (
            "今年春天，北京的气温比往年高五六度，雨水也多。",
            "*今年春天，北京的气温比往年高五{+六+}度，雨水也多。",
        ),
        (
            "今年春天，上海的气温比往年高五度，雨水也多。",
            "*今年春天，[-北京-]{+上海+}的气温比往年高五度，雨水也多。",
        ),
    ],
    ids=["deletion", "insertion", "replacement"],
)
def test_each_kind_of_real_edit(b_first: str, line: str) -> None:
    a = "今年春天，北京的气温比往年高五度，雨水也多。"
    out = body(diff(a, b_first))
    assert out[0].startswith("@@ edit A1 = B1 ")
    assert out[1:] == [line, ""]


def test_minor_only_paragraphs_keep_the_two_line_form() -> None:
    out = diff("第一段，文字。", "第一段,文字。")
    assert body(out) == [
        "@@ variant A1 = B1 (minor: width 1) @@",
        "~-第一段，文字。",
        "~+第一段,文字。",
        "",
    ]


def test_a_merge_with_an_edit_prefixes_every_line() -> None:
    a = "第一段，文字。\n第二段有改动，真的。\n第三段。"
    b = "第一段，文字。第二段改动了，真的。\n第三段。"
    assert body(diff(a, b)) == [
        "@@ merge A1-2 = B1 score 0.941 (hunks: text 2) @@",
        "*第一段，文字。{~",  # the paragraph break only A has, a minor (layout) difference
        "*~>~}第二段[-有-]改动{+了+}，真的。",
        "  第三段。",
        "",
    ]
    assert body(diff(b, a))[:3] == [
        "@@ split A1 = B1-2 score 0.941 (hunks: text 2) @@",
        "*第一段，文字。{~~>",
        "*~}第二段{+有+}改动[-了-]，真的。",
    ]


def test_seeds_000_and_001_have_no_real_edit_so_no_star_line() -> None:
    out = diff(seed_text("000"), seed_text("001"))
    assert not [line for line in out.split("\n") if line.startswith("*")]
    assert "~-“在工作队帮助下，我搬进了新房，" in out


# Markers rebuild both sides exactly (documents without marker characters of their own).
_MARK = re.compile(r"\[-(.*?)-\]|\{\+(.*?)\+\}|\{~(.*?)~>(.*?)~\}", re.S)


def _side(word_diff: str, side: int) -> str:
    def pick(m: re.Match[str]) -> str:
        old, new = m.group(1) or m.group(3) or "", m.group(2) or m.group(4) or ""
        return (old, new)[side]

    return _MARK.sub(pick, word_diff)


PARAGRAPHS = [p for p in seed_text("003").split("\n") if p.strip()][:8]


@st.composite
def edited(draw: st.DrawFn) -> tuple[str, str]:
    """Paragraphs of a seed and a copy with real edits, width changes and moved line breaks."""
    picks = draw(st.lists(st.sampled_from(PARAGRAPHS), min_size=1, max_size=4))
    text = "\n".join(picks)
    other = text
    changes = st.sampled_from(["", "的", "八", "，", ",", "。", " ", "\n", "臺"])
    for pos, ch in draw(st.lists(st.tuples(st.integers(0, 400), changes), max_size=5)):
        i = pos % (len(other) + 1)
        other = other[:i] + ch + other[i + 1 :]
    return text, other


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited())
def test_the_word_diff_holds_both_sides(pair: tuple[str, str]) -> None:
    a_doc, b_doc = Document("a", pair[0]), Document("b", pair[1])
    assert not re.search(r"[\[\]{}~]", pair[0] + pair[1])
    result = align(a_doc, b_doc)
    for op in result.ops:
        if not (op.has_text_hunk and op.a_span and op.b_span):
            continue
        one = Alignment("a", "b", (op,))
        lines = render_unified(one, a_doc, b_doc).split("\n")[4:-1]
        assert lines and all(line.startswith("*") for line in lines)
        text = "\n".join(line[1:] for line in lines)
        assert _side(text, 0) == visible(op.a_span.slice(a_doc.text))
        assert _side(text, 1) == visible(op.b_span.slice(b_doc.text))
        assert "[-" in text or "{+" in text  # the real edit is pinpointed


# --- colour ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [(A_SPRING, B_SPRING), (seed_text("000"), seed_text("001"))],
    ids=["word-diff", "minor-only"],
)
def test_colour_is_the_plain_diff_painted(a: str, b: str) -> None:
    colored = diff(a, b, color=True)
    assert "\\x1b" not in colored  # our own codes are never escaped as text
    assert SGR.sub("", colored) == diff(a, b)


def test_colour_paints_the_edited_characters() -> None:
    colored = diff(A_SPRING, B_SPRING, color=True)
    old = paint("五", fg="red", bold=True, reverse=True)
    new = paint("八", fg="green", bold=True, reverse=True)
    comma = paint("，", fg="yellow", underline=True)
    assert old.startswith("\x1b[") and old.endswith("\x1b[0m")
    assert f"{paint('[-', fg='red')}{old}{paint('-]', fg='red')}" in colored
    assert f"{paint('{+', fg='green')}{new}{paint('+}', fg='green')}" in colored
    assert f"春天{paint('{~', fg='yellow')}{comma}{paint('~>', fg='yellow')}" in colored


def test_colour_on_minor_only_lines_is_real_escape_codes() -> None:
    colored = diff("第一段，文字。", "第一段,文字。", color=True)
    assert f"第一段{paint('，', fg='yellow', underline=True)}文字。" in colored
    assert f"第一段{paint(',', fg='yellow', underline=True)}文字。" in colored


def test_colour_never_runs_into_the_next_line() -> None:
    colored = diff("第一段。\n第二段有改动。", "第一段。第二段改动了。", color=True)
    lines = colored.split("\n")
    assert sum(line.startswith("*") for line in lines) == 2  # the prefix itself is not painted
    for line in lines:
        codes = SGR.findall(line)
        assert not codes or codes[-1] == "\x1b[0m", line


# --- hostile text ----------------------------------------------------------------------------

EVIL = "\x1b[2J\x1b]0;owned\x07\u202e"


@pytest.mark.parametrize("color", [False, True], ids=["plain", "color"])
def test_controls_in_an_edit_are_shown_as_escapes(color: bool) -> None:
    a = "今年春天，北京的气温比往年高五度，雨水也多。"
    b = f"今年春天，北京的气温比往年高{EVIL}八度，雨水也多。"
    out = diff(a, b, color=color)
    assert SGR.sub("", out).count("\x1b") == 0
    assert "\u202e" not in out and "\x07" not in out
    (line,) = [line for line in SGR.sub("", out).split("\n") if line.startswith("*")]
    assert _side(line[1:], 0) == a
    assert (
        _side(line[1:], 1)
        == "今年春天，北京的气温比往年高\\x1b[2J\\x1b]0;owned\\x07\\u202e八度，雨水也多。"
    )
    assert "[-五-]" in line


@pytest.mark.parametrize("flag", ["--no-color", "--color"])
def test_cli_word_diff_both_modes(tmp_path: Path, flag: str) -> None:
    (tmp_path / "a.txt").write_text(A_SPRING, encoding="utf-8")
    (tmp_path / "b.txt").write_text(B_SPRING.replace("八", "\u202e八"), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["diff", flag, str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
    )
    assert result.exit_code == 1
    plain = SGR.sub("", result.output)
    # normalization drops U+202E, so it is a minor difference beside the real edit
    assert "*今年春天{~，~>,~}北京的气温比往年高{~~>\\u202e~}[-五-]{+八+}度{~，~>,~}雨水" in plain
    assert "\u202e" not in result.output
    assert (plain != result.output) == (flag == "--color")
