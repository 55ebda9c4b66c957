"""Canonical merge: collation table, policies, original surface form, provenance, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import seed_path, seed_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.align import align
from dedup.cli import main
from dedup.document import Document
from dedup.errors import ConfigError
from dedup.merge import (
    PARAGRAPH_BREAK,
    POLICIES,
    collate,
    merge_collation,
    merge_documents,
    merged_to_dict,
)
from dedup.segment import paragraphs

# --- the seeds -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_pair() -> list[Document]:
    return [Document(seed_path(p).name, seed_text(p)) for p in ("000", "001")]


def _surface(doc: Document) -> list[str]:
    return [p.span.slice(doc.text) for p in paragraphs(doc.text)]


@pytest.mark.parametrize("policy", POLICIES)
def test_seed_merge_is_000_title_and_paragraphs_in_000_surface_form(
    seed_pair: list[Document], policy: str
) -> None:
    rep, other = seed_pair
    merged = merge_documents(seed_pair, policy)
    assert merged.representative == rep.id
    expected = _surface(rep)
    assert len(expected) == 1 + len(_surface(other))  # the title is 000's alone
    assert [p.text for p in merged.paragraphs] == expected
    assert merged.text == PARAGRAPH_BREAK.join(expected) + "\n"
    # the 22 body paragraphs differ in surface form between 000 and 001: 000's is kept
    body = merged.paragraphs[1:]
    assert all(p.chosen.member == rep.id for p in body)
    assert all(p.supporting == (rep.id, other.id) for p in body)
    assert sum(p.text not in other.text for p in body) > 0


def test_seed_merge_title_provenance(seed_pair: list[Document]) -> None:
    rep, other = seed_pair
    title = merge_documents(seed_pair).paragraphs[0]
    assert title.text == _surface(rep)[0]
    assert title.chosen.member == rep.id
    assert title.absent == (other.id,)
    assert title.kind == "delete"
    assert [v.members for v in title.variants] == [(rep.id,)]


def test_merged_text_resegments_into_the_merged_paragraphs(seed_pair: list[Document]) -> None:
    merged = merge_documents(seed_pair)
    again = [p.span.slice(merged.text) for p in paragraphs(merged.text)]
    assert again == [p.text for p in merged.paragraphs]


# --- three members, two sharing an edit ----------------------------------------------------

REP = (
    "关于加强基层治理的报告\n\n"
    "第一段讲的是背景，近年来各地持续推进基层组织建设，取得了明显成效。\n\n"
    "第二段讲的是做法，工作队坚持每周走访农户三次，帮助群众解决实际困难。\n\n"
    "第三段讲的是结果，村民收入稳步增长，生活条件不断改善，大家都很满意。"
)
# B and C share an edit of the second paragraph (每周 three -> 每月 two visits);
# C writes it with half-width punctuation, so the two agree only after normalization.
B = (
    "第一段讲的是背景，近年来各地持续推进基层组织建设，取得了明显成效。\n\n"
    "第二段讲的是做法，工作队坚持每月走访农户两次，帮助群众解决实际困难。\n\n"
    "第三段讲的是结果，村民收入稳步增长，生活条件不断改善，大家都很满意。"
)
C = (
    "关于加强基层治理的报告\n\n"
    "第一段讲的是背景，近年来各地持续推进基层组织建设，取得了明显成效。\n\n"
    "第二段讲的是做法,工作队坚持每月走访农户两次,帮助群众解决实际困难.\n\n"
    "第三段讲的是结果，村民收入稳步增长，生活条件不断改善，大家都很满意。"
)


@pytest.fixture(scope="module")
def trio() -> list[Document]:
    return [Document("rep", REP), Document("b", B), Document("c", C)]


def _para(text: str, n: int) -> str:
    return text.split("\n\n")[n]


def _edited_row(trio: list[Document], policy: str):  # noqa: ANN202
    merged = merge_documents(trio, policy, representative="rep")
    (row,) = [p for p in merged.paragraphs if p.kind == "edit"]
    return merged, row


def test_majority_picks_the_shared_edit_in_the_first_sharers_surface_form(
    trio: list[Document],
) -> None:
    merged, row = _edited_row(trio, "majority")
    assert row.text == _para(B, 1)
    assert row.chosen.member == "b"
    assert row.supporting == ("b", "c")
    assert row.text in B and row.chosen.span.slice(B) == row.text


def test_representative_keeps_its_own_reading(trio: list[Document]) -> None:
    merged, row = _edited_row(trio, "representative")
    assert row.text == _para(REP, 2)
    assert row.chosen.member == "rep"
    assert row.supporting == ("rep",)
    assert merged.text == REP + "\n"


@pytest.mark.parametrize("policy", ["majority", "representative"])
def test_provenance_lists_both_readings_with_their_members(
    trio: list[Document], policy: str
) -> None:
    merged, row = _edited_row(trio, policy)
    readings = {v.members: v.text for v in row.variants}
    assert readings == {("rep",): _para(REP, 2), ("b", "c"): _para(B, 1)}
    chosen = [v.members for v in row.variants if v.chosen]
    assert chosen == ([("b", "c")] if policy == "majority" else [("rep",)])
    data = merged_to_dict(merged)
    (entry,) = [p for p in data["paragraphs"] if p["kind"] == "edit"]
    assert {tuple(v["members"]) for v in entry["variants"]} == {("rep",), ("b", "c")}
    assert {r["member"]: r["kind"] for r in entry["readings"]} == {
        "rep": "equal",
        "b": "edit",
        "c": "edit",
    }
    assert 0.0 < min(r["score"] for r in entry["readings"]) < 1.0


def test_majority_keeps_a_title_only_some_members_have(trio: list[Document]) -> None:
    merged = merge_documents(trio, "majority", representative="rep")
    title = merged.paragraphs[0]
    assert title.text == _para(REP, 0)
    assert title.absent == ("b",)
    assert title.supporting == ("rep", "c")


def test_majority_ties_go_to_the_representative() -> None:
    rep = Document(
        "r", "甲段落写的是一件事情，内容比较长一些。\n\n乙段落原来这样写，后面还有不少文字。"
    )
    other = Document(
        "o", "甲段落写的是一件事情，内容比较长一些。\n\n乙段落后来那样写，后面还有不少文字。"
    )
    merged = merge_documents([other, rep], "majority", representative="r")
    assert [p.chosen.member for p in merged.paragraphs] == ["r", "r"]


def test_longest_picks_the_longest_reading() -> None:
    first = "第一段是开头的部分，写了一些事情，讲到村里修通了公路，农产品运出去更方便了。"
    second = "第二段内容讲的是合作社带动三百多户村民增收致富，学校新建了图书室"
    rep = Document("r", f"{first}\n\n{second}。")
    other = Document("o", f"{first}\n\n{second}，孩子们放学后都来读书。")
    for policy, member in (("longest", "o"), ("representative", "r"), ("majority", "r")):
        merged = merge_documents([rep, other], policy, representative="r")
        assert [p.kind for p in merged.paragraphs] == ["equal", "edit"]
        assert merged.paragraphs[1].chosen.member == member, policy


def test_paragraphs_only_members_have_are_kept_in_place_and_shared() -> None:
    base = ["第一段讲背景，情况是这样的，内容很多。", "第二段讲做法，办法是那样的，措施很实。"]
    extra = "插入的一段讲别的事情，只有两个版本才有。"
    rep = Document("r", "\n\n".join(base))
    b = Document("b", "\n\n".join([base[0], extra, base[1]]))
    c = Document("c", "\n\n".join([base[0], extra.replace("，", ","), base[1]]))
    merged = merge_documents([rep, b, c], representative="r")
    assert [p.text for p in merged.paragraphs] == [base[0], extra, base[1]]
    inserted = merged.paragraphs[1]
    assert inserted.kind == "insert"
    assert inserted.rep_paragraphs == ()
    assert inserted.supporting == ("b", "c")
    assert inserted.absent == ("r",)


def test_merge_json_offsets_point_into_the_merged_text(trio: list[Document]) -> None:
    merged = merge_documents(trio, "majority", representative="rep")
    data = merged_to_dict(merged)
    assert [p["index"] for p in data["paragraphs"]] == list(range(len(merged.paragraphs)))
    docs = {d.id: d.text for d in trio}
    for entry in data["paragraphs"]:
        start = entry["offset"]
        assert merged.text[start : start + len(entry["text"])] == entry["text"]
        s, e = entry["span"]
        assert docs[entry["member"]][s:e] == entry["text"]


def test_bad_arguments_say_what_to_do(trio: list[Document]) -> None:
    with pytest.raises(ConfigError, match="choose one of"):
        merge_documents(trio, "loudest")
    with pytest.raises(ConfigError, match="not among the documents"):
        merge_documents(trio, representative="nobody")
    with pytest.raises(ValueError, match="representative .* as A"):
        collate(trio[:2], "rep", [align(trio[1], trio[0])])
    with pytest.raises(ValueError, match="no alignment"):
        collate(trio, "rep", [align(trio[0], trio[1])])


# --- invariants ----------------------------------------------------------------------------

SENTENCES = [
    "工作队每周走访农户，帮助群众解决实际困难。",
    "村里修通了公路，农产品运出去更方便了。",
    "合作社带动三百多户村民增收致富。",
    "学校新建了图书室，孩子们放学后都来读书。",
    "卫生室配齐了常用药品，小病不出村就能看。",
    "党员干部带头参加义务劳动，整治村容村貌。",
    "旅游民宿办起来了，游客一年比一年多。",
    "电商平台让高原特产卖到了全国各地。",
]


@st.composite
def versions(draw: st.DrawFn) -> list[Document]:
    base = draw(
        st.lists(st.sampled_from(range(len(SENTENCES))), min_size=1, max_size=6, unique=True)
    )
    docs = []
    for n in range(draw(st.integers(1, 4))):
        paras = []
        for i in base:
            if draw(st.integers(0, 5)) == 0:
                continue  # dropped by this version
            text = SENTENCES[i]
            if draw(st.booleans()):
                text = text.replace("，", ",")  # width variant
            if draw(st.integers(0, 4)) == 0:
                text = text.replace("的", "得")  # real edit
            paras.append(text)
        if draw(st.integers(0, 3)) == 0:
            paras.insert(draw(st.integers(0, len(paras))), f"第{n}版独有的一段话，别处没有。")
        docs.append(Document(f"d{n}", "\n\n".join(paras) or "空。"))
    return docs


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(versions(), st.sampled_from(POLICIES))
def test_every_paragraph_of_every_member_lands_in_exactly_one_row(
    docs: list[Document], policy: str
) -> None:
    rep = docs[0]
    table = collate(docs, rep.id, [align(rep, d) for d in docs[1:]])
    for column, doc in enumerate(docs):
        found = sorted(i for row in table.rows if (r := row.readings[column]) for i in r.paragraphs)
        assert found == list(range(len(paragraphs(doc.text))))
    rep_order = [i for row in table.rows for i in row.rep_paragraphs]
    assert rep_order == sorted(rep_order)
    merged = merge_collation(table, policy)
    assert len(merged.paragraphs) == len(table.rows)
    texts = {d.id: d.text for d in docs}
    for p in merged.paragraphs:
        # original surface form: the chosen member's own text, never a normalized one
        assert p.text == PARAGRAPH_BREAK.join(
            s.slice(texts[p.chosen.member]) for s in p.chosen.spans
        )
        assert p.chosen.member in p.supporting
        assert sorted(m for v in p.variants for m in v.members) == sorted(
            set(table.members) - set(p.absent)
        )
    if policy == "representative":
        kept = [p.text for p in merged.paragraphs if p.rep_paragraphs]
        assert kept == [p.span.slice(rep.text) for p in paragraphs(rep.text)]


@settings(max_examples=20, deadline=None)
@given(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=5), st.integers(1, 4))
def test_merging_copies_gives_the_document_back(paras: list[str], copies: int) -> None:
    text = "\n\n".join(paras)
    docs = [Document(f"d{n}", text) for n in range(copies)]
    merged = merge_documents(docs)
    assert merged.text == PARAGRAPH_BREAK.join(_surface(docs[0])) + "\n"
    assert all(
        p.kind == "equal" and p.supporting == tuple(d.id for d in docs) for p in merged.paragraphs
    )


# --- command line --------------------------------------------------------------------------


def _merge_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["merge", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_cli_merges_the_seed_pair(seed_pair: list[Document], tmp_path: Path) -> None:
    code, out, _ = _merge_cli(str(seed_path("001")), str(seed_path("000")))
    assert code == 0
    assert out == merge_documents(seed_pair).text
    target = tmp_path / "merged.txt"
    assert _merge_cli(str(seed_path("000")), str(seed_path("001")), "--out", str(target))[0] == 0
    assert target.read_text(encoding="utf-8") == out


def test_cli_policy_and_json(tmp_path: Path) -> None:
    for name, text in (("rep", REP), ("b", B), ("c", C)):
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    files = [str(tmp_path / f"{n}.txt") for n in ("rep", "b", "c")]
    code, out, _ = _merge_cli(*files, "--policy", "majority", "--representative", "rep.txt")
    assert code == 0
    assert _para(B, 1) in out and _para(REP, 2) not in out
    code, out, _ = _merge_cli(*files, "--json", "--representative", "rep.txt")
    assert code == 0
    data = json.loads(out)
    assert data["policy"] == "representative" and data["representative"] == "rep.txt"
    assert _para(REP, 2) in [p["text"] for p in data["paragraphs"]]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--policy", "loudest"], 2, "Invalid value for '--policy'"),
        (["--representative", "nobody"], 2, "not among the documents"),
    ],
    ids=["bad-policy", "unknown-representative"],
)
def test_cli_usage_errors(args: list[str], code: int, message: str) -> None:
    result = CliRunner().invoke(main, ["merge", str(seed_path("000")), *args])
    assert result.exit_code == code
    assert message in result.stderr


def test_cli_unreadable_input_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    code, _, err = _merge_cli(str(bad))
    assert code == 1
    assert "bad.txt" in err
