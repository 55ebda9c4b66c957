"""Documents for the index bench: Tang poems in random groups, with injected near-duplicates.

Document ``i`` is a function of ``(seed, i)`` alone, so a million of them can be streamed and any
one rebuilt on demand. A base document is 3 to 8 random poems (traditional characters, one poem
a paragraph; about 370 characters). About ``share`` of the documents are instead near-duplicates
of an earlier base document, changed the way a re-published article is: simplified characters,
half-width punctuation, a line dropped, a header or an editor's note added, 0-2% of the
characters replaced.
"""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent.parent.parent / "shared" / "data"

_HALF = str.maketrans("，。！？；：（）", ",.!?;:()")
_NOISE = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年"
_OUTLETS = ["新华网", "人民网", "澎湃新闻", "央视新闻", "中新网", "南方都市报"]
_EDITORS = ["王磊", "李娜", "张伟", "刘洋", "陈静"]


@dataclass(frozen=True)
class Doc:
    """One generated document; ``source`` is the index of the document it near-duplicates."""

    index: int
    text: str
    source: int | None = None

    @property
    def id(self) -> str:
        return f"d{self.index:07d}"


@lru_cache(maxsize=1)
def poems() -> tuple[str, ...]:
    """Every non-empty poem of ``tang-poems.jsonl.gz`` (lines joined by newlines)."""
    out = []
    with gzip.open(DATA / "tang-poems.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            text = json.loads(line)["text"].strip()
            if text:
                out.append(text)
    return tuple(out)


@lru_cache(maxsize=1)
def _t2s() -> object:
    import opencc

    return opencc.OpenCC("t2s")


class Corpus:
    """Documents ``0, 1, 2...`` for one ``seed``, about ``share`` of them near-duplicates."""

    def __init__(self, seed: int = 0, share: float = 0.01) -> None:
        self.seed = seed
        self.share = share
        self.poems = poems()

    def is_duplicate(self, i: int) -> bool:
        return i >= 100 and random.Random(f"{self.seed}:dup:{i}").random() < self.share

    def base_text(self, i: int) -> str:
        rng = random.Random(f"{self.seed}:base:{i}")
        chosen = [self.poems[rng.randrange(len(self.poems))] for _ in range(rng.randint(3, 8))]
        return "\n\n".join(chosen)

    def doc(self, i: int) -> Doc:
        if not self.is_duplicate(i):
            return Doc(i, self.base_text(i))
        rng = random.Random(f"{self.seed}:mutate:{i}")
        source = rng.randrange(i)
        while self.is_duplicate(source):
            source = rng.randrange(i)
        return Doc(i, mutate(self.base_text(source), rng), source)


def mutate(text: str, rng: random.Random) -> str:
    """A re-published version of ``text``: same article, the usual small changes."""
    lines = text.split("\n")
    if rng.random() < 0.3 and len(lines) > 6:
        del lines[rng.randrange(len(lines))]
    if rng.random() < 0.3:
        lines.insert(0, f"来源：{rng.choice(_OUTLETS)}")
    if rng.random() < 0.3:
        lines.append(f"（责任编辑：{rng.choice(_EDITORS)}）")
    out = "\n".join(lines)
    rate = rng.choice([0.0, 0.005, 0.01, 0.02])
    if rate:
        chars = list(out)
        for _ in range(int(len(chars) * rate)):
            k = rng.randrange(len(chars))
            if chars[k] != "\n":
                chars[k] = rng.choice(_NOISE)
        out = "".join(chars)
    if rng.random() < 0.5:
        out = _t2s().convert(out)  # type: ignore[attr-defined]
    if rng.random() < 0.5:
        out = out.translate(_HALF)
    return out
