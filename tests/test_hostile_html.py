"""Reports are safe to open: hostile text and ids in every HTML page, in a real browser.

Guards against: document text or ids written into a page unescaped (``<script>``, an
``onerror`` image, a ``</script>`` that ends the embedded JSON block, ``</textarea>``, a quote
that ends an attribute and adds ``onmouseover``), ``javascript:`` links, template
expressions (``{{ 7*7 }}``) evaluated instead of shown, and the page's own script rebuilding
rows from that data through ``innerHTML`` without escaping. Each payload calls ``alert`` or
sets ``window.__pwned``: the test opens every page in Chromium with JavaScript on, drives the
page's own controls (members, tabs, toggles, hovering every element that shows data), and
checks that no dialog fired, no console error happened, no element carries an event handler
or ``javascript:`` URL, and each payload reads back as plain text.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli import main

if os.environ.get("DEDUP_SKIP_BROWSER") == "1":
    pytest.skip("DEDUP_SKIP_BROWSER=1", allow_module_level=True)

from playwright.sync_api import Browser, Page  # noqa: E402

PAYLOADS = [
    "<script>alert('p1')</script>",
    "<img src=x onerror=\"alert('p2')\">",
    "</textarea><script>alert('p3')</script><textarea>",
    '" onmouseover="alert(\'p4\')" x="',
    "' onmouseover='alert(`p5`)' x='",
    "<a href=\"javascript:alert('p6')\">click me</a>",
    "javascript:alert('p7')",
    "{{ 7*7 }} {% if true %}p8{% endif %} ${7*7} #{7*7}",
    "</script><script>window.__pwned='p9'</script>",
    "<svg onload=\"alert('p10')\"><script>alert('p10b')</script></svg>",
    "<!-- <base href=\"javascript:alert('p11')//\"> ]]> -->",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(\'p12\')">',
    "<style>body{display:none}</style><iframe srcdoc=\"<script>parent.alert('p13')</script>\">",
    "\u2028\u2029<script>alert('p14')</script>",
]
BASE = [
    "第一段，很长的文字，讲了一个关于山和水的故事。",
    "第二段，又讲了另一个很长的故事，还有很多很多字。",
    "第三段：结束了，谢谢大家耐心阅读这篇文章，再见。",
    "第四段，山下的村子里住着一位老人，每天早上去河边打水。",
    "第五段，孩子们在院子里玩耍，直到太阳落山才回家吃饭。",
    "第六段，秋天来了，田野里的稻子黄了，农民们忙着收割。",
    "第七段，冬天的雪下得很大，路上几乎看不到行人的脚印。",
    "第八段，春天的时候，河水解冻，燕子又飞回了屋檐下面。",
]
EVENT_ATTRIBUTES = "[onmouseover],[onerror],[onload],[onclick],[onfocus],[srcdoc]"


def _members() -> list[dict[str, str]]:
    """Three near-duplicates; the payloads sit in ids, in shared text and in edits."""
    shared = "\n".join(BASE + PAYLOADS)
    return [
        {"id": PAYLOADS[0] + " a", "text": shared},
        {"id": PAYLOADS[3] + " b", "text": shared.replace("第二段", "第二段" + PAYLOADS[1])},
        {"id": PAYLOADS[9] + " c", "text": shared + "\n" + PAYLOADS[8] + "多出来的一段。"},
    ]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("hostile-html")
    src = root / "docs.jsonl"
    src.write_text("".join(json.dumps(m) + "\n" for m in _members()), encoding="utf-8")
    out = root / "out"
    runner = CliRunner()
    # one process: forking a pool inside a process that runs Playwright's thread can hang
    args = ["run", str(src), "--out", str(out), "--quiet", "--workers", "1"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    (cluster,) = map(json.loads, (out / "clusters.jsonl").read_text("utf-8").splitlines())
    assert cluster["size"] == 3
    a, b = root / "a.txt", root / "b.txt"
    a.write_text(_members()[0]["text"], encoding="utf-8")
    b.write_text(_members()[1]["text"] + "\n" + PAYLOADS[2], encoding="utf-8")
    diff_page = root / "diff.html"
    result = runner.invoke(main, ["diff", str(a), str(b), "--html", str(diff_page)])
    assert result.exit_code == 1, result.output
    found = [out / "index.html", *sorted((out / "clusters").glob("*.html")), diff_page]
    assert len(found) == 3
    return found


class Watch:
    """Dialogs, console errors and page errors of one page."""

    def __init__(self, page: Page) -> None:
        self.events: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda exc: self.events.append(f"pageerror: {exc}"))
        page.on(
            "console",
            lambda m: (
                self.events.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )

    def _dialog(self, dialog: object) -> None:
        self.events.append(f"dialog: {dialog.message}")  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]


_POKE_EVERYTHING = """() => document.querySelectorAll("*").forEach(e => {
    for (const kind of ["mouseover", "mouseenter", "focus", "click"]) {
        if (kind === "click" && e.closest("a[href], button, [role=tab], select")) continue;
        e.dispatchEvent(new Event(kind, {bubbles: kind !== "mouseenter"}));
    }
})"""


def _drive(page: Page) -> None:
    """Use every control the page has, so that its script renders all it can."""
    select = page.locator("select#member")
    if select.count():
        for value in select.locator("option").evaluate_all("os => os.map(o => o.value)"):
            select.select_option(value)
            page.locator("#rows").hover()
    for button in page.locator("button.compare").all():
        page.click("#tab-members")
        button.click()
    if page.locator("#hide-minor").count():
        page.check("#hide-minor")
        page.uncheck("#hide-minor")
    for tab in page.locator("[role=tab]").all():
        tab.click()
        page.evaluate(_POKE_EVERYTHING)
    page.keyboard.press("j")
    page.keyboard.press("k")


def _check_page(browser: Browser, path: Path) -> None:
    context = browser.new_context(java_script_enabled=True)
    page = context.new_page()
    watch = Watch(page)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    _drive(page)
    page.wait_for_timeout(200)
    assert watch.events == [], f"{path.name}: {watch.events}"
    assert page.evaluate("() => window.__pwned === undefined"), path.name
    assert page.locator(EVENT_ATTRIBUTES).count() == 0, path.name
    hrefs = page.locator("[href],[src],[action],[formaction]").evaluate_all(
        "es => es.map(e => e.getAttribute('href') || e.getAttribute('src') || "
        "e.getAttribute('action') || e.getAttribute('formaction'))"
    )
    assert not [h for h in hrefs if h.strip().lower().startswith(("javascript:", "data:"))]
    assert page.locator("iframe, img, svg script, meta[http-equiv=refresh], base").count() == 0
    scripts = page.locator("script").evaluate_all("es => es.map(e => [e.type, e.textContent])")
    for kind, body in scripts:
        if kind == "application/json":  # data: must still be one whole JSON document
            json.loads(body)
        else:
            assert "alert(" not in body and "__pwned" not in body, path.name
    # every payload that the page shows reads back as the text it is
    page.click("#tab-compare") if page.locator("#tab-compare").count() else None
    text = page.evaluate("() => document.body.textContent")
    assert "49" not in text.replace("7*7", "")
    if path.name == "index.html":  # the overview names clusters by their representative
        assert PAYLOADS[9] + " c" in text
    else:
        assert PAYLOADS[0] in text and "{{ 7*7 }}" in text and PAYLOADS[4] in text, path.name
    context.close()


@pytest.mark.parametrize("which", ["index", "cluster", "diff"])
def test_hostile_text_and_ids_show_as_text_and_run_nothing(
    browser: Browser, pages: list[Path], which: str
) -> None:
    path = dict(zip(["index", "cluster", "diff"], pages, strict=True))[which]
    _check_page(browser, path)


def test_the_payloads_would_fire_if_written_raw(browser: Browser, tmp_path: Path) -> None:
    """The canary works: the same payloads pasted unescaped into a page do fire."""
    raw = tmp_path / "raw.html"
    body = "".join(f'<div title="{p}">{p}</div>' for p in PAYLOADS if "textarea" not in p)
    raw.write_text(f"<!doctype html><html><body>{body}</body></html>", encoding="utf-8")
    context = browser.new_context(java_script_enabled=True)
    page = context.new_page()
    watch = Watch(page)
    page.goto(raw.as_uri())
    page.wait_for_timeout(300)
    page.dispatch_event("[onmouseover]", "mouseover")
    fired = {e for e in watch.events if e.startswith("dialog")}
    assert len(fired) >= 3 and "dialog: p4" in fired, watch.events
    context.close()
