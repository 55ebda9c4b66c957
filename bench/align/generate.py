"""Pairs of versions of one article with known gold paragraph groupings.

An article is a list of *units* (source paragraphs): the seeds' paragraphs, runs of Tang
poems (traditional characters, one poem a unit) or newsgroup posts (English, one blank-line
block a unit), all from ../shared/data and seeds/. Version A is the article laid out plainly;
version B changes it the way outlets do: full/half-width punctuation swapped, a title added,
ideographic-space vs newline layout, hard wraps at a random width, traditional/simplified
conversion, paragraphs inserted (from other articles), deleted or moved, an excerpt window,
1-3% character noise.

Both texts are built with the character range of every unit recorded; after segmentation
(:func:`dedup.segment.paragraphs`) each paragraph is linked to the units it overlaps, and the
gold groupings are the connected components of paragraphs and units: ``(A indices, B
indices)``, one side possibly empty (deleted or inserted text). So the gold follows the
segmenter: if it mends a title into the next line, the gold says so.
"""

from __future__ import annotations

import gzip
import json
import random
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import DATA, pseudo_articles
from dedup.segment import paragraphs as segment

ROOT = Path(__file__).resolve().parent.parent.parent
SEEDS = ROOT / "seeds"

_HALF = str.maketrans("，。！？；：（）“”", ',.!?;:()""')
_FULL = str.maketrans(",!?;:()", "，！？；：（）")
_CJK_NOISE = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年"
_LATIN_NOISE = "etaoinshrdlu"

Grouping = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True)
class Pair:
    """Two versions of one article and the gold groupings of their paragraphs."""

    name: str
    a: str
    b: str
    gold: tuple[Grouping, ...]
    changes: tuple[str, ...]


# --- sources -----------------------------------------------------------------------------------


def seed_articles() -> list[list[str]]:
    """Each seed as its list of paragraph texts."""
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out.append([p.span.slice(text).strip() for p in segment(text)])
    return out


def newsgroup_articles(limit: int) -> Iterator[list[str]]:
    """Posts with at least four blank-line blocks, each block one unit (lines joined)."""
    count = 0
    with gzip.open(DATA / "newsgroups.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            text = json.loads(line)["text"]
            body = text.split("\n\n", 1)[-1]
            blocks = [" ".join(b.split()) for b in body.split("\n\n")]
            blocks = [b for b in blocks if len(b) >= 20 and not b.startswith(">")]
            if 4 <= len(blocks) <= 20:
                yield blocks
                count += 1
                if count >= limit:
                    return


# --- changes -----------------------------------------------------------------------------------


def _noise(text: str, rate: float, rng: random.Random, latin: bool) -> str:
    chars = list(text)
    alphabet = _LATIN_NOISE if latin else _CJK_NOISE
    for _ in range(max(1, round(len(chars) * rate))):
        k = rng.randrange(len(chars))
        what = rng.random()
        if what < 0.6:
            chars[k] = rng.choice(alphabet)
        elif what < 0.8:
            chars.insert(k, rng.choice(alphabet))
        elif len(chars) > 1:
            del chars[k]
    return "".join(chars)


def _wrap(text: str, width: int, latin: bool) -> str:
    if latin:
        return "\n".join(textwrap.wrap(text, width)) or text
    return "\n".join(text[i : i + width] for i in range(0, len(text), width))


def _layout(units: list[tuple[str, str]], style: str, width: int, latin: bool) -> tuple[str, list]:
    """Join ``(unit id, text)`` into one text; the range of every unit in it."""
    parts: list[str] = []
    ranges: list[tuple[str, int, int]] = []
    pos = 0
    sep = {"newline": "\n", "blank": "\n\n", "ideographic": "\u3000\u3000", "wrap": "\n\n"}[style]
    if latin:
        sep = "\n\n"
    for k, (uid, text) in enumerate(units):
        if style == "wrap":
            text = _wrap(text, width, latin)
        if k:
            parts.append(sep)
            pos += len(sep)
        ranges.append((uid, pos, pos + len(text)))
        parts.append(text)
        pos += len(text)
    return "".join(parts), ranges


def _gold(a: str, ra: list, b: str, rb: list) -> tuple[Grouping, ...]:
    """Connected components of paragraphs linked through the units they overlap."""
    parent: dict[object, object] = {}

    def find(x: object) -> object:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]  # type: ignore[index]
            x = parent[x]
        return x

    def union(x: object, y: object) -> None:
        parent[find(x)] = find(y)

    for side, text, ranges in (("a", a, ra), ("b", b, rb)):
        for p in segment(text):
            node = (side, p.index)
            find(node)
            for uid, start, end in ranges:
                if start < p.span.end and p.span.start < end:
                    union(node, ("u", uid))
    groups: dict[object, tuple[list[int], list[int]]] = {}
    for node in list(parent):
        side, idx = node  # type: ignore[misc]
        if side == "u":
            continue
        g = groups.setdefault(find(node), ([], []))
        (g[0] if side == "a" else g[1]).append(idx)
    return _contiguous([(sorted(x), sorted(y)) for x, y in groups.values()])


def _contiguous(groups: list[tuple[list[int], list[int]]]) -> tuple[Grouping, ...]:
    """Fill the holes of a grouping with the deleted (inserted) paragraphs inside its range.

    A merge of units 3 and 5 whose unit 4 was deleted in B is the grouping A3-5 to B1, as
    every monotonic aligner reports it; holes filled by matched paragraphs stay open.
    """
    alone_a = {x[0]: k for k, (x, y) in enumerate(groups) if not y}
    alone_b = {y[0]: k for k, (x, y) in enumerate(groups) if not x}
    absorbed: set[int] = set()
    out: list[tuple[list[int], list[int]]] = []
    for x, y in groups:
        if not x or not y:
            continue
        x, y = list(x), list(y)
        for side, alone in ((x, alone_a), (y, alone_b)):
            holes = set(range(side[0], side[-1] + 1)) - set(side)
            if holes and holes <= alone.keys():
                absorbed.update(alone[h] for h in holes)
                side[:] = sorted(set(side) | holes)
        out.append((x, y))
    out.extend(g for k, g in enumerate(groups) if (not g[0] or not g[1]) and k not in absorbed)
    return tuple(sorted((tuple(x), tuple(y)) for x, y in out))


def make_pair(
    name: str, units: list[str], others: list[str], rng: random.Random, *, latin: bool, t2s, s2t
) -> Pair:
    """Version A laid out plainly, version B changed at random; gold from the unit ranges."""
    a_units = [(f"u{k}", u) for k, u in enumerate(units)]
    b_units = list(a_units)
    changes: list[str] = []
    if rng.random() < 0.15 and len(b_units) > 5:
        lo = rng.randrange(0, len(b_units) // 2)
        hi = rng.randrange(lo + 3, len(b_units) + 1)
        b_units = b_units[lo:hi]
        changes.append("excerpt")
    if rng.random() < 0.3 and len(b_units) > 3:
        for _ in range(rng.randint(1, 2)):
            del b_units[rng.randrange(len(b_units))]
        changes.append("delete")
    if rng.random() < 0.3:
        for k in range(rng.randint(1, 2)):
            b_units.insert(rng.randrange(len(b_units) + 1), (f"x{k}", rng.choice(others)))
        changes.append("insert")
    if rng.random() < 0.25 and len(b_units) > 3:
        unit = b_units.pop(rng.randrange(len(b_units)))
        b_units.insert(rng.randrange(len(b_units) + 1), unit)
        changes.append("move")
    if rng.random() < 0.4:
        rate = rng.choice([0.01, 0.02, 0.03])
        b_units = [(uid, _noise(text, rate, rng, latin)) for uid, text in b_units]
        changes.append(f"noise{round(rate * 100)}")
    if not latin and rng.random() < 0.5:
        table = _FULL if rng.random() < 0.5 else _HALF
        b_units = [(uid, text.translate(table)) for uid, text in b_units]
        changes.append("width")
    if not latin and rng.random() < 0.35:
        conv = s2t if rng.random() < 0.5 else t2s
        b_units = [(uid, conv.convert(text)) for uid, text in b_units]
        changes.append("script")
    if rng.random() < 0.25:
        title = rng.choice(others)[: rng.randrange(8, 20)].rstrip()
        b_units.insert(0, ("title", title))
        changes.append("title")
    if latin:
        style = "wrap" if rng.random() < 0.4 else "blank"
    else:
        style = rng.choice(["newline", "blank", "ideographic", "wrap", "wrap"])
    width = rng.randrange(20, 60) if latin else rng.randrange(15, 60)
    if latin:
        width = rng.randrange(40, 80)
    changes.append(style if style != "wrap" else f"wrap{width}")
    a_text, ra = _layout(a_units, "blank" if latin else "newline", 0, latin)
    b_text, rb = _layout(b_units, style, width, latin)
    return Pair(name, a_text, b_text, _gold(a_text, ra, b_text, rb), tuple(changes))


def generate(n: int = 600, seed: int = 0) -> list[Pair]:
    """``n`` pairs: a fifth from the seeds, half from Tang poems, the rest from newsgroups."""
    import opencc

    t2s, s2t = opencc.OpenCC("t2s"), opencc.OpenCC("s2t")
    rng = random.Random(seed)
    n_seed, n_tang = n // 5, n // 2
    n_news = n - n_seed - n_tang
    seeds = seed_articles()
    tang = list(pseudo_articles(paragraphs_per_doc=12, limit=n_tang + 40))
    news = list(newsgroup_articles(n_news + 40))
    cjk_pool = [u for art in tang[n_tang:] for u in art]  # never a unit of a pair's own article
    latin_pool = [u for art in news[n_news:] for u in art]
    pairs: list[Pair] = []
    for k in range(n_seed):
        units = seeds[k % len(seeds)]
        pairs.append(make_pair(f"seed{k:03d}", units, cjk_pool, rng, latin=False, t2s=t2s, s2t=s2t))
    for k in range(n_tang):
        pairs.append(
            make_pair(f"tang{k:03d}", tang[k], cjk_pool, rng, latin=False, t2s=t2s, s2t=s2t)
        )
    for k in range(n_news):
        pairs.append(
            make_pair(f"news{k:03d}", news[k], latin_pool, rng, latin=True, t2s=t2s, s2t=s2t)
        )
    return pairs
