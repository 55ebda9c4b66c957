"""The HTML reports in a real browser: Debian's headless Chromium driven by Playwright.

No browser is downloaded: Chromium comes from the system (``.ci/run`` installs it). Without
it these tests fail, unless DEDUP_SKIP_BROWSER=1 says to skip them. Screenshots go to
``artifacts/`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, SEEDS
from test_html import big_cluster, big_cluster_page

from dedup.cli import main
from dedup.document import Document
from dedup.segment import paragraphs

if os.environ.get("DEDUP_SKIP_BROWSER") == "1":
    pytest.skip("DEDUP_SKIP_BROWSER=1", allow_module_level=True)

from playwright.sync_api import Browser, ConsoleMessage, Page  # noqa: E402

ARTIFACTS = ROOT / "artifacts" / "browser"
ARTIFACTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    result = CliRunner().invoke(main, ["run", str(SEEDS), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


class Console:
    """Console errors and uncaught exceptions of one page."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("console", self._message)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url}"))

    def _message(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(f"{message.type}: {message.text}")


def _open(browser: Browser, url: str, *, javascript: bool = True) -> tuple[Page, Console]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=javascript
    )
    page = context.new_page()
    console = Console(page)
    page.goto(url)
    return page, console


def _shot(page: Page, name: str, *, full: bool = False) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)


def _seed(prefix: str) -> Document:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return Document(path.name, path.read_text(encoding="utf-8"))


def _surface(doc: Document) -> list[str]:
    return [p.span.slice(doc.text) for p in paragraphs(doc.text)]


def _current(page: Page) -> str | None:
    return page.evaluate("() => (document.querySelector('tr.op.current') || {}).id || null")


# --- overview ------------------------------------------------------------------------------


def test_index_sorts_filters_and_links(browser: Browser, reports: Path) -> None:
    page, console = _open(browser, (reports / "index.html").as_uri())
    rows = page.locator("#clusters tbody tr")
    assert rows.count() == 1
    assert page.locator("#numbers li").first.inner_text().split()[0] == "5"
    page.click("th[data-key=size] button")
    assert page.get_attribute("th[data-key=size]", "aria-sort") == "ascending"
    page.fill("#filter", "no such cluster")
    assert rows.first.is_hidden()
    assert page.inner_text("#shown") == "0 of 1 clusters"
    page.fill("#filter", "000_")
    assert rows.first.is_visible()
    page.select_option("#kind", "edit")
    assert rows.first.is_hidden()  # the seed pair differs in width only, and a title
    page.select_option("#kind", "insert delete")
    assert rows.first.is_visible()
    _shot(page, "index")
    page.click("#clusters a")
    page.wait_for_load_state()
    assert page.url.endswith("clusters/c0001.html")
    assert console.errors == []
    page.context.close()


# --- the seed cluster ----------------------------------------------------------------------


@pytest.fixture()
def seed_page(browser: Browser, reports: Path) -> Iterator[tuple[Page, Console]]:
    page, console = _open(browser, (reports / "clusters" / "c0001.html").as_uri())
    yield page, console
    assert console.errors == []
    page.context.close()


def test_title_only_000_has_is_shown_on_one_side_only(seed_page: tuple[Page, Console]) -> None:
    page, _ = seed_page
    title = _surface(_seed("000"))[0]
    first = page.locator("tr.op").first
    assert "k-delete" in (first.get_attribute("class") or "")
    assert first.locator("td.a").inner_text() == title
    right = first.locator("td.b")
    assert "absent" in (right.get_attribute("class") or "")
    assert right.inner_text() == ""
    # every other row has both sides
    assert page.locator("tr.op td.absent").count() == 1
    _shot(page, "cluster")


def test_j_and_k_step_through_changes(seed_page: tuple[Page, Console]) -> None:
    page, _ = seed_page
    assert _current(page) is None
    page.keyboard.press("j")
    assert _current(page) == "op-0"
    page.keyboard.press("j")
    assert _current(page) == "op-1"
    page.keyboard.press("j")
    assert _current(page) == "op-2"
    page.keyboard.press("k")
    assert _current(page) == "op-1"
    assert page.inner_text("#counter") == "2 of 23 changes"
    page.click("#next")
    assert _current(page) == "op-2"
    assert page.evaluate("() => document.activeElement.id") == "op-2"
    _shot(page, "cluster-after-j")


def _visible_minor_marks(page: Page) -> list[str]:
    """Backgrounds of width marks that a reader can see (in rows that are not folded)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('tr.op:not([hidden]) .k-width'))
              .map(e => getComputedStyle(e).backgroundColor)"""
    )


def test_minor_variant_toggle_hides_width_only_differences(
    seed_page: tuple[Page, Console],
) -> None:
    page, _ = seed_page
    transparent = "rgba(0, 0, 0, 0)"
    before = _visible_minor_marks(page)
    assert len(before) > 50 and transparent not in before
    assert page.locator("tr.op:visible").count() == 23
    page.click("#hide-minor")
    after = _visible_minor_marks(page)
    assert set(after) == {transparent}
    # width-only rows fold away; the title row and one row of context stay
    assert page.locator("tr.op:visible").count() == 2
    assert page.locator("tr.fold").count() == 1
    assert page.inner_text("#counter") == "1 change"
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert _current(page) == "op-0"  # the only change left
    _shot(page, "cluster-minor-hidden")
    page.click("tr.fold button")
    assert page.locator("tr.op:visible").count() == 23
    page.click("#hide-minor")
    assert transparent not in _visible_minor_marks(page)


def test_merged_tab_shows_title_and_22_paragraphs(seed_page: tuple[Page, Console]) -> None:
    page, _ = seed_page
    rep, other = _seed("000"), _seed("001")
    assert page.locator("#merged").is_hidden()
    page.click("#tab-merged")
    assert page.locator("#compare").is_hidden()
    items = page.locator("li.mp")
    assert items.count() == 1 + len(_surface(other)) == 23
    texts = page.locator("li.mp .mt").all_inner_texts()
    assert texts == _surface(rep)
    title = items.first
    assert title.locator(".prov").is_hidden()
    title.hover()
    assert title.locator(".prov").is_visible()
    assert other.id in title.locator(".prov").inner_text()
    _shot(page, "merged-hover")
    page.mouse.move(1200, 10)
    items.nth(1).focus()
    assert items.nth(1).locator(".prov").is_visible()
    assert title.locator(".prov").is_hidden()


def test_page_reads_without_javascript(browser: Browser, reports: Path) -> None:
    page, console = _open(browser, (reports / "clusters" / "c0001.html").as_uri(), javascript=False)
    assert page.locator("tr.op:visible").count() == 23
    assert page.locator("li.mp:visible").count() == 23
    assert page.locator("#member-table tbody tr").count() == 2
    assert page.locator(".tabs").is_hidden()  # without the script there are no tabs
    _shot(page, "cluster-no-js", full=True)
    assert console.errors == []
    page.context.close()


# --- generated clusters --------------------------------------------------------------------


def test_script_rebuilds_every_row_exactly_as_the_server_rendered_it(
    browser: Browser, tmp_path: Path
) -> None:
    page_file = tmp_path / "small.html"
    page_file.write_text(big_cluster_page(6, 40), encoding="utf-8")
    page, console = _open(browser, page_file.as_uri())
    rows_js = "() => Array.from(document.querySelectorAll('tr.op')).map(r => r.outerHTML)"
    served = page.evaluate(rows_js)
    assert len(served) >= 40
    docs = big_cluster(6, 40)
    kinds: set[str] = set()
    for member in range(1, 5):
        page.select_option("#member", str(member))
        doc = docs[member + 1]
        assert page.inner_text("#b-name") == doc.id
        shown = page.evaluate(
            """() => Array.from(document.querySelectorAll('td.b .p'))
                  .map(p => [Number(p.dataset.n), p.innerText])"""
        )
        surface = _surface(doc)
        assert sorted(n for n, _ in shown) == list(range(1, len(surface) + 1))
        assert all(text == surface[n - 1] for n, text in shown)
        kinds.update(
            page.evaluate(
                "() => Array.from(document.querySelectorAll('tr.op'), r => r.classList[1])"
            )
        )
    assert {"k-split", "k-merge", "k-move", "k-edit", "k-insert", "k-delete"} <= kinds
    page.select_option("#member", "0")
    assert page.evaluate(rows_js) == served
    assert console.errors == []
    page.context.close()


@pytest.mark.slow
def test_50_members_of_300_paragraphs_open_without_freezing(
    browser: Browser, tmp_path: Path
) -> None:
    page_file = tmp_path / "big.html"
    page_file.write_text(big_cluster_page(), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    console = Console(page)
    started = time.perf_counter()
    page.goto(page_file.as_uri())
    loaded = time.perf_counter() - started
    assert page.locator("#counter").inner_text().endswith("changes")
    started = time.perf_counter()
    page.select_option("#member", "48")
    switched = time.perf_counter() - started
    assert page.inner_text("#b-name") == "m49"
    page.keyboard.press("j")
    assert _current(page) is not None
    print(f"50 x 300 page: loaded in {loaded:.2f} s, member switch {switched:.2f} s")
    assert loaded < 10 and switched < 3
    _shot(page, "big-cluster")
    assert console.errors == []
    context.close()
