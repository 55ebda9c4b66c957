"""``dedupe diff``: exit codes 0/1/2 and exact output on small cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import seed_path

from dedup.cli import main


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    texts = {
        "a.txt": "标题\n第一段，文字。\n第二段没有变。",
        "same.txt": "标题\n第一段,文字。\n第二段没有变。",
        "edited.txt": "第一段，文字有改动。\n第二段没有变。",
        "two.jsonl": '{"id": "x", "text": "一"}\n{"id": "y", "text": "二"}\n',
        "empty.txt": "   \n",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return {name: tmp_path / name for name in texts}


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["diff", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def test_same_up_to_normalization_exits_0(files: dict[str, Path]) -> None:
    code, out, _ = run(files["a.txt"], files["same.txt"])
    assert code == 0
    assert out == (
        "--- a.txt\n"
        "+++ same.txt\n"
        "# similarity 1.000: 2 equal, 1 variant\n"
        "  标题\n"
        "@@ variant A2 = B2 (minor: width 1) @@\n"
        "~-第一段，文字。\n"
        "~+第一段,文字。\n"
        "  第二段没有变。\n"
    )


def test_different_documents_exit_1(files: dict[str, Path]) -> None:
    code, out, _ = run(files["a.txt"], files["edited.txt"])
    assert code == 1
    score = 2 * 7 / (7 + 10)  # normalized "第一段,文字." in "第一段,文字有改动."
    assert out == (
        "--- a.txt\n"
        "+++ edited.txt\n"
        f"# similarity {2 * (7 + 7) / (2 + 7 + 7 + 10 + 7):.3f}: 1 equal, 1 edit, 1 delete\n"
        "@@ delete A1 @@\n"
        "-标题\n"
        f"@@ edit A2 = B1 score {score:.3f} (hunks: text 1) @@\n"
        "*第一段，文字{+有改动+}。\n"
        "  第二段没有变。\n"
    )


def test_json_is_the_alignment(files: dict[str, Path]) -> None:
    code, out, _ = run("--format", "json", files["a.txt"], files["same.txt"])
    assert code == 0
    data = json.loads(out)
    assert data["a_id"] == "a.txt" and data["b_id"] == "same.txt"
    assert [op["kind"] for op in data["ops"]] == ["equal", "variant", "equal"]
    assert data["ops"][1]["hunks"] == [
        {
            "tag": "replace",
            "kind": "width",
            "a_span": [6, 7],
            "b_span": [6, 7],
            "a_text": "，",
            "b_text": ",",
        }  # fmt: skip
    ]


def test_seeds_000_and_001_differ_by_the_title(files: dict[str, Path]) -> None:
    code, out, _ = run("--format", "json", seed_path("000"), seed_path("001"))
    assert code == 1
    assert json.loads(out)["counts"]["delete"] == 1


def test_html_is_the_side_by_side_page(files: dict[str, Path]) -> None:
    code, out, _ = run("--format", "html", files["a.txt"], files["edited.txt"])
    assert code == 1
    assert out.startswith("<!DOCTYPE html>")
    assert "<title>a.txt ↔ edited.txt</title>" in out
    assert out.count('<tr class="op ') == 3


def test_html_file_beside_the_text_diff(files: dict[str, Path], tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    code, out, _ = run("--html-out", str(page), files["a.txt"], files["edited.txt"])
    assert code == 1
    assert out.startswith("---")  # the text diff still goes to stdout
    _, html_out, _ = run("--format", "html", files["a.txt"], files["edited.txt"])
    assert page.read_text(encoding="utf-8") == html_out


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("two.jsonl", "more than one document"),
        ("empty.txt", "cannot read"),
        ("missing.txt", "cannot read"),
    ],
    ids=["two-documents", "no-text", "missing"],
)
def test_trouble_exits_2(files: dict[str, Path], tmp_path: Path, name: str, message: str) -> None:
    code, out, err = run(files["a.txt"], tmp_path / name)
    assert code == 2 and out == ""
    assert message in err


def test_color_only_when_asked(files: dict[str, Path]) -> None:
    _, plain, _ = run(files["a.txt"], files["edited.txt"])
    _, colored, _ = run("--color", files["a.txt"], files["edited.txt"])
    assert "\x1b[" not in plain
    assert "\x1b[" in colored
    assert "有改动" in colored


def test_no_t2s_makes_traditional_a_text_edit(tmp_path: Path) -> None:
    (tmp_path / "s.txt").write_text("台湾的经济发展很快。", encoding="utf-8")
    (tmp_path / "t.txt").write_text("臺灣的經濟發展很快。", encoding="utf-8")
    assert run(tmp_path / "s.txt", tmp_path / "t.txt")[0] == 0
    assert run("--no-t2s", tmp_path / "s.txt", tmp_path / "t.txt")[0] == 1
