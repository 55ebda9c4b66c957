"""The fast t2s converter against OpenCC itself: equal output on every kind of text."""

from __future__ import annotations

import gzip
import itertools
import json
import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import opencc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup import t2s
from dedup.t2s import FastT2S, OpenCCT2S, converter

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
OPENCC = opencc.OpenCC("t2s").convert


@pytest.fixture(scope="module")
def fast() -> FastT2S:
    made = converter()
    assert isinstance(made, FastT2S), "the installed OpenCC's dictionaries could not be read"
    return made


def phrases(fast: FastT2S) -> list[str]:
    p = fast._phrases
    return [
        "".join(map(chr, p.chars[p.key_start[k] : p.key_start[k + 1]].tolist()))
        for k in range(len(p.key_start) - 1)
    ]


def test_reads_the_phrases_of_the_installed_opencc(fast: FastT2S) -> None:
    keys = phrases(fast)
    assert len(keys) > 100
    assert {"深沈", "藉口", "憑藉"} <= set(keys)
    assert all(len(k) > 1 for k in keys)


def test_every_phrase_alone_and_run_together(fast: FastT2S) -> None:
    keys = phrases(fast)
    for key in keys:
        assert fast(key) == OPENCC(key), key
    for joined in ("".join(keys), "，".join(keys), "".join(reversed(keys))):
        assert fast(joined) == OPENCC(joined)


def test_overlapping_phrases(fast: FastT2S) -> None:
    """Pieces of phrases glued so that occurrences overlap and compete for characters."""
    keys = phrases(fast)
    rng = random.Random(7)
    pool = "臺灣的天氣於是乾燥了，徵收。" + "".join(keys)
    for _ in range(3000):
        text = "".join(
            rng.choice(keys)[rng.randrange(2) :] if rng.random() < 0.7 else rng.choice(pool)
            for _ in range(rng.randrange(1, 9))
        )
        assert fast(text) == OPENCC(text), text


def _han_alphabet() -> list[str]:
    return list("臺灣乾燥藉口沈香熏薴麻徵收於是一上下不中之後髮發麵面里裡著着") + [
        "\n",
        "，",
        " ",
        "a",
        "⿰",
        "\U00020000",
    ]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(_han_alphabet()), max_size=60))
def test_random_text_equals_opencc(text: str) -> None:
    assert converter()(text) == OPENCC(text)


def test_description_sequences_go_to_opencc_whole(fast: FastT2S) -> None:
    text = "過。\n⿰木養深黃狖小，（一作「⿰車犬」）屆"
    assert fast(text) == OPENCC(text)
    assert fast.convert_codes(np.frombuffer(text.encode("utf-32-le"), "<u4")) is None


def _tang(limit: int) -> Iterator[str]:
    with gzip.open(DATA / "tang-poems.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in itertools.islice(handle, limit):
            yield json.loads(line)["text"]


@pytest.mark.skipif(not (DATA / "tang-poems.jsonl.gz").exists(), reason="needs shared/data")
def test_tang_poems_equal_opencc(fast: FastT2S) -> None:
    text = "\n".join(_tang(20_000))
    assert fast(text) == OPENCC(text)
    without_descriptions = "".join(c for c in text if not 0x2FF0 <= ord(c) <= 0x2FFF)
    codes = np.frombuffer(without_descriptions.encode("utf-32-le"), "<u4").astype(np.uint32)
    out = fast.convert_codes(codes)
    assert out is not None  # converted by the table and phrase stretches, not whole by OpenCC
    assert out.tobytes().decode("utf-32-le") == OPENCC(without_descriptions)


def test_a_stretch_that_changes_length_sends_the_text_to_opencc() -> None:
    def shrinking(text: str) -> str:
        return OPENCC(text).replace("干燥", "干")

    made = FastT2S(shrinking, ["乾燥"], ["臺"])
    # The whole text went to `shrinking`: 灣, no key of this converter, is converted too.
    assert made("臺灣乾燥") == "台湾干"
    assert made("臺灣") == "台灣"  # no stretch: the table alone, which knows only 臺
    assert made.convert_codes(np.frombuffer("乾燥".encode("utf-32-le"), "<u4")) is None


def test_falls_back_to_opencc_when_the_dictionaries_cannot_be_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    converter.cache_clear()
    monkeypatch.setattr(t2s, "_opencc_dict_tool", lambda module: None)
    try:
        plain = converter()
        assert isinstance(plain, OpenCCT2S)
        assert plain("臺灣乾燥") == "台湾干燥"
        codes = np.frombuffer("臺灣".encode("utf-32-le"), "<u4").astype(np.uint32)
        out = plain.convert_codes(codes)
        assert out is not None and out.tobytes().decode("utf-32-le") == "台湾"
    finally:
        converter.cache_clear()


def test_documents_converted_with_their_flags_in_one_pass(fast: FastT2S) -> None:
    """``convert_documents`` gives ``convert_codes``' output and, per document, whether it
    changed and whether it still holds a character t2s would change (the fixed-point rule)."""
    from dedup.fastnorm import _SEP, _changes
    from dedup.normalize import _codes, _t2s_unstable

    keys = phrases(fast)
    rng = random.Random(11)
    pool = "臺灣的天氣於是乾燥了，徵收。薴苧abc 一二三" + "".join(keys[:50])
    unstable = _t2s_unstable()
    for _ in range(300):
        docs = [
            "".join(
                rng.choice(keys) if rng.random() < 0.2 else rng.choice(pool)
                for _ in range(rng.randrange(0, 12))
            )
            for _ in range(rng.randrange(1, 6))
        ]
        codes = _codes(_SEP.join(docs))
        ends = np.cumsum([len(d) + 1 for d in docs]) - 1
        done = fast.convert_documents(codes, ends, unstable)
        expected = fast.convert_codes(codes)
        assert (done is None) == (expected is None)
        if done is None:
            continue
        out, changed, again = done
        assert out.tolist() == expected.tolist()
        want_changed, want_again = _changes(codes, expected, ends, unstable)
        assert changed.tolist() == want_changed.tolist()
        assert again.tolist() == want_again.tolist()
        assert any(fast(d) != d for d in docs) == bool(changed.size)
