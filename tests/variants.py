"""Variants of a document, built the way other outlets and layouts change an article."""

from __future__ import annotations

import random

import opencc


def lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


def traditional(text: str) -> str:
    """The text in traditional characters (OpenCC s2t)."""
    return opencc.OpenCC("s2t").convert(text)


def hard_wrap(text: str, width: int) -> str:
    """Each paragraph broken into lines of ``width`` characters; paragraphs apart by blank lines."""
    out = []
    for para in lines(text):
        out.append("\n".join(para[i : i + width] for i in range(0, len(para), width)))
    return "\n\n".join(out)


def move_paragraphs(text: str, seed: int = 0) -> str:
    """Two paragraphs taken out and put back elsewhere."""
    paras = lines(text)
    rng = random.Random(seed)
    for _ in range(2):
        p = paras.pop(rng.randrange(len(paras)))
        paras.insert(rng.randrange(len(paras) + 1), p)
    return "\n".join(paras)


def edit(text: str, seed: int = 0) -> str:
    """A few character edits, one paragraph inserted and one deleted."""
    paras = lines(text)
    rng = random.Random(seed)
    del paras[rng.randrange(len(paras))]
    paras.insert(
        rng.randrange(len(paras)),
        "编者按：本文有删节，转载时请注明出处与作者，谢谢各位读者的支持。",
    )
    for _ in range(5):
        i = rng.randrange(len(paras))
        para = paras[i]
        j = rng.randrange(len(para))
        paras[i] = para[:j] + "的" + para[j + 1 :]
    return "\n".join(paras)


def excerpt(text: str, share: float) -> str:
    """The first ``share`` of the paragraphs."""
    paras = lines(text)
    return "\n".join(paras[: max(1, round(len(paras) * share))])
