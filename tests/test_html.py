"""HTML reports without a browser: files written, escaping, self-containment, size, goldens."""

from __future__ import annotations

import functools
import json
import os
import random
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEEDS
from hypothesis import given
from hypothesis import strategies as st

from dedup.align import align
from dedup.cli import main
from dedup.document import Document
from dedup.merge import collate, merge_collation, merge_documents
from dedup.pipeline import run
from dedup.report.html import ClusterView, _pieces, cluster_page, diff_page
from dedup.report.writer import write_reports

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("DEDUP_UPDATE_GOLDEN") == "1"
MB = 1024 * 1024


@pytest.fixture(scope="module")
def seed_reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    result = CliRunner().invoke(main, ["run", str(SEEDS), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside each <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append((dict(attrs), ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def _parse(page: str) -> _Tags:
    tags = _Tags()
    tags.feed(page)
    tags.close()
    return tags


def _page_data(page: str) -> dict:
    (text,) = [text for attrs, text in _parse(page).scripts if attrs.get("id") == "page-data"]
    return json.loads(text)


# --- what `dedupe run` writes ------------------------------------------------------------


def test_run_writes_pages_and_merges(seed_reports: Path) -> None:
    assert (seed_reports / "index.html").is_file()
    assert sorted(p.name for p in (seed_reports / "clusters").iterdir()) == ["c0001.html"]
    assert sorted(p.name for p in (seed_reports / "merged").iterdir()) == [
        "c0001.json",
        "c0001.txt",
    ]
    docs = [Document(p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("00[01]_*"))]
    expected = merge_documents(docs).text
    assert (seed_reports / "merged" / "c0001.txt").read_text(encoding="utf-8") == expected
    provenance = json.loads((seed_reports / "merged" / "c0001.json").read_text(encoding="utf-8"))
    assert provenance["cluster"] == "c0001"
    assert [p["text"] for p in provenance["paragraphs"]] == expected.rstrip("\n").split("\n\n")


def test_index_links_every_cluster_page(seed_reports: Path) -> None:
    page = (seed_reports / "index.html").read_text(encoding="utf-8")
    links = [a["href"] for t, a in _parse(page).tags if t == "a" and a.get("href")]
    assert links == ["clusters/c0001.html"]
    assert all((seed_reports / link).is_file() for link in links)


def test_no_html_writes_no_pages_and_removes_old_ones(seed_reports: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    assert CliRunner().invoke(main, ["run", str(SEEDS), "--out", str(out), "-q"]).exit_code == 0
    assert (out / "index.html").is_file()
    result = CliRunner().invoke(main, ["run", str(SEEDS), "--out", str(out), "-q", "--no-html"])
    assert result.exit_code == 0
    assert not (out / "index.html").exists()
    assert list((out / "clusters").iterdir()) == []
    assert (out / "merged" / "c0001.txt").is_file()


@pytest.mark.parametrize("name", ["index.html", "clusters/c0001.html"])
def test_pages_are_self_contained(seed_reports: Path, name: str) -> None:
    page = (seed_reports / name).read_text(encoding="utf-8")
    tags = _parse(page)
    for tag, attrs in tags.tags:
        assert tag not in ("link", "img", "iframe", "object", "embed"), tag
        assert "src" not in attrs, (tag, attrs)
        assert not (attrs.get("href") or "").startswith(("http:", "https:", "//")), attrs
    assert not re.search(r"url\(|@import|https?://", page)
    csp = [a["content"] for t, a in tags.tags if t == "meta" and a.get("http-equiv")]
    assert csp and "default-src 'none'" in csp[0]


# --- untrusted text ------------------------------------------------------------------------

EVIL_ID = '</script><script>alert("id")</script><blink>'
EVIL_TEXT = (
    "标题</script><script>alert(1)</script>\n\n"
    "第一段讲的是背景，<img src=x onerror=alert(2)>近年来各地持续推进基层组织建设。\n\n"
    "第二段讲的是做法，工作队坚持每周走访农户三次，帮助群众解决实际困难。&amp;"
)


def test_document_text_and_ids_cannot_break_out(tmp_path: Path) -> None:
    other = EVIL_TEXT.replace("三次", "两次").replace("，", ",")
    result = run([(EVIL_ID, EVIL_TEXT), ("plain", other)])
    assert len(result.clusters) == 1
    write_reports(result, tmp_path)
    for page in (tmp_path / "index.html", tmp_path / "clusters" / "c0001.html"):
        text = page.read_text(encoding="utf-8")
        tags = _parse(text)
        assert [t for t, _ in tags.tags].count("script") == (2 if "clusters" in str(page) else 1)
        assert "img" not in [t for t, _ in tags.tags]
        assert "blink" not in [t for t, _ in tags.tags]
        assert "<blink>" not in text and "alert(1)</script>" not in text
    data = _page_data((tmp_path / "clusters" / "c0001.html").read_text(encoding="utf-8"))
    ids = {data["rep"]["id"], *(m["id"] for m in data["members"])}
    assert ids == {EVIL_ID, "plain"}
    assert any("</script>" in p[1] for p in data["rep"]["paras"])


# --- the embedded data ---------------------------------------------------------------------


@given(
    st.text(alphabet="ab，,𠮷 ", min_size=0, max_size=20),
    st.lists(st.tuples(st.integers(0, 25), st.integers(0, 25)), max_size=6),
    st.integers(0, 25),
    st.integers(0, 25),
)
def test_pieces_cover_the_range_exactly(
    text: str, raw: list[tuple[int, int]], lo: int, hi: int
) -> None:
    start, end = sorted((min(lo, len(text)), min(hi, len(text))))
    marks = sorted((min(s, e), max(s, e), "k-text") for s, e in raw)
    pieces = _pieces(text, start, end, marks)
    assert "".join(p for p, _ in pieces) == text[start:end]


def test_member_paragraphs_are_not_repeated_when_they_can_be_rebuilt() -> None:
    docs = [Document(p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("00[01]_*"))]
    als = [align(docs[0], docs[1])]
    page = cluster_page(
        ClusterView("c1", docs, docs[0].id, als, merge_collation(collate(docs, docs[0].id, als)))
    )
    ops = _page_data(page)["members"][0]["ops"]
    assert [op["k"] for op in ops].count("variant") == 22
    assert all("t" not in op and len(op["d"]) == len(op["h"]) for op in ops if op["k"] == "variant")


# --- a large cluster -----------------------------------------------------------------------


def _sentences() -> list[str]:
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8").replace("\n", "").replace("\u3000", "")
        out += [s + "。" for s in text.split("。") if len(s) > 8]
    return out


def big_cluster(members: int = 50, paragraphs: int = 300, seed: int = 7) -> list[Document]:
    """A cluster of ``members`` versions of one ``paragraphs``-paragraph article.

    Each version has a quarter of its paragraphs in half-width punctuation, four edits, two
    paragraphs in traditional characters with odd spacing, one paragraph dropped and one of
    its own added; every third splits a paragraph in two, every fourth joins two, every
    fifth moves one far away.
    """
    rng = random.Random(seed)
    sentences = _sentences()
    base = ["".join(rng.sample(sentences, 2)) for _ in range(paragraphs)]
    docs = [Document("m00", "\n".join(base))]
    for m in range(1, members):
        paras = list(base)
        for i in rng.sample(range(paragraphs), paragraphs // 4):
            paras[i] = paras[i].replace("，", ",")
        for i in rng.sample(range(paragraphs), 4):
            j = rng.randrange(len(paras[i]) - 2)
            paras[i] = paras[i][:j] + "新增文字" + paras[i][j + 2 :]
        for i in rng.sample(range(paragraphs), 2):
            paras[i] = paras[i].replace("发展", "發展").replace("，", " ，")
        del paras[rng.randrange(paragraphs)]
        paras.insert(
            rng.randrange(paragraphs), f"第{m}号版本独有的编者按：本文有删节，转载请注明出处。"
        )
        if m % 3 == 0:
            i = rng.randrange(len(paras))
            cut = paras[i].find("。") + 1
            if 0 < cut < len(paras[i]):
                paras[i : i + 1] = [paras[i][:cut], paras[i][cut:]]
        if m % 4 == 0:
            i = rng.randrange(len(paras) - 1)
            paras[i : i + 2] = [paras[i] + paras[i + 1]]
        if m % 5 == 0:
            moved = paras.pop(rng.randrange(len(paras) // 4))
            paras.insert(len(paras) - rng.randrange(1, len(paras) // 4), moved)
        docs.append(Document(f"m{m:02d}", "\n".join(paras)))
    return docs


@functools.lru_cache(maxsize=2)
def big_cluster_page(members: int = 50, paragraphs: int = 300) -> str:
    """The cluster page of :func:`big_cluster` (cached: aligning 49 members takes seconds)."""
    docs = big_cluster(members, paragraphs)
    als = [align(docs[0], d) for d in docs[1:]]
    merged = merge_collation(collate(docs, docs[0].id, als))
    return cluster_page(ClusterView("c0001", docs, docs[0].id, als, merged))


@pytest.mark.slow
def test_a_page_for_50_members_of_300_paragraphs_stays_under_5_mb() -> None:
    page = big_cluster_page()
    size = len(page.encode("utf-8"))
    print(f"50 x 300 cluster page: {size / MB:.2f} MB")
    assert size < 5 * MB
    data = _page_data(page)
    assert len(data["members"]) == 49
    assert len(data["rep"]["paras"]) == 300
    # the representative's text is not repeated per member: a paragraph only it has in this
    # form appears in the rows, the embedded data and the merged text, and no more
    needle = data["rep"]["paras"][150][1]
    assert page.count(needle) <= 3
    full = sum(1 for m in data["members"] for op in m["ops"] if "t" in op)
    assert full <= 2 * 49  # only inserted paragraphs travel in full


# --- golden files --------------------------------------------------------------------------

GOLDEN_FILES = ["index.html", "clusters/c0001.html", "merged/c0001.txt", "merged/c0001.json"]


@pytest.mark.parametrize("name", GOLDEN_FILES)
def test_seed_reports_match_the_reviewed_golden_files(seed_reports: Path, name: str) -> None:
    """Run with DEDUP_UPDATE_GOLDEN=1 to rewrite them; review the diff before committing."""
    fresh = (seed_reports / name).read_text(encoding="utf-8")
    golden = GOLDEN / name.replace("/", "__")
    if UPDATE:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(fresh, encoding="utf-8")
    assert golden.is_file(), f"{golden} missing: run with DEDUP_UPDATE_GOLDEN=1 and review"
    assert fresh == golden.read_text(encoding="utf-8"), f"{name} changed: review, then update"


def test_diff_page_tells_two_documents_with_one_id_apart() -> None:
    a = Document("x.txt", EVIL_TEXT)
    b = Document("x.txt", EVIL_TEXT.replace("三次", "两次"))
    page = diff_page(a, b, align(a, b))
    data = _page_data(page)
    assert (data["rep"]["id"], data["members"][0]["id"]) == ("A: x.txt", "B: x.txt")
    assert [op["k"] for op in data["members"][0]["ops"]] == ["equal", "equal", "edit"]


def test_index_lists_skipped_inputs_with_their_reasons(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in SEEDS.glob("00[01]_*.txt"):
        (corpus / path.name).write_bytes(path.read_bytes())
    (corpus / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["run", str(corpus), "--out", str(out), "-q"]).exit_code == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    (skipped,) = summary["skipped"]
    page = (out / "index.html").read_text(encoding="utf-8")
    section = page[page.index('<table class="list" id="skipped">') :]
    section = section[: section.index("</table>")]
    assert "empty.txt" in section and skipped["reason"] in section
