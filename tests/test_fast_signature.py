"""The fast sketch path (batch normalization + compiled shingles and MinHash) against the plain
reference path and against datasketch's own MinHash."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.fastnorm import matching_codes, reference_codes
from dedup.fastsketch import pack, sketch_codes, token_classes
from dedup.options import NormalizeOptions, Options
from dedup.segment import matching_text, paragraphs
from dedup.shingle import _TOKEN, shingle_hashes, shingles
from dedup.signature import estimate_jaccard, permutations, signature
from dedup.sketch import sketch, sketch_batch, sketch_many

SEEDS = sorted(Path(__file__).resolve().parent.parent.joinpath("seeds").glob("*.txt"))
DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"

# Characters that exercise every shortcut of the fast path: traditional and simplified Han
# (including chains like 薴 -> 苧 -> 苎 and phrase-dependent ones like 乾/於/徵), full and
# half width, kana and hangul, Latin letters and digits, expansions (…, ß, ﬁ, ½, ㍻),
# combining marks, invisible characters, every kind of line break and space.
ALPHABET = (
    "臺灣國語說話這個時間們發現乾隆於是徵收麼薴苧苎干于征么反覆沈香醉養木⿰⿱〇々\ue000"
    "台湾国语说话这个时间们发现中文字一二三四五"
    "，。！？；：、「」『』（）《》〈〉——……・〜"
    "ＡＢＣａｂｃ０１２３"
    "アイウカキがぱハングル한국어"
    "abcdefXYZ0123456789_"
    ",.!?;:'\"()-[]"
    "…ßﬁ½㍻①Ⅻ™"
    "\u0301\u0308\u3099\u200b\u200d\ufeff\u00ad"
    "\n\n\n\r\n\u2028\x0b\x0c\x85   \t\u3000\u3000\u00a0"
)


def _reference(text: str, options: Options) -> tuple[np.ndarray, np.ndarray]:
    hashes = shingle_hashes(matching_text(paragraphs(text, options.normalize)), options=options)
    return hashes, signature(hashes, permutations(options.num_perm, options.seed))


def _tokens_equal(texts: list[str], options: NormalizeOptions) -> None:
    codes, starts = matching_codes(texts, options)
    assert len(starts) == len(texts) + 1
    for i, text in enumerate(texts):
        fast = "".join(map(chr, codes[starts[i] : starts[i + 1]].tolist()))
        reference = "".join(map(chr, reference_codes(text, options).tolist()))
        assert shingles(fast, 1, 1) == shingles(reference, 1, 1), text


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_seed_sketch_equals_reference(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    options = Options()
    fast = sketch(text, options)
    hashes, sig = _reference(text, options)
    assert fast.shingles.size > 100
    assert np.array_equal(fast.shingles, hashes)
    assert np.array_equal(fast.signature, sig)


def test_seeds_batch_equals_one_by_one() -> None:
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    options = Options(cjk_ngram=3)
    together = sketch_many(texts, options)
    for text, s in zip(texts, together, strict=True):
        alone = sketch(text, options)
        assert np.array_equal(s.shingles, alone.shingles)
        assert np.array_equal(s.signature, alone.signature)
        assert s.length == alone.length


@pytest.mark.skipif(not (DATA / "newsgroups.jsonl.gz").exists(), reason="needs shared/data")
def test_newsgroup_posts_equal_reference() -> None:
    texts = []
    with gzip.open(DATA / "newsgroups.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            texts.append(json.loads(line)["text"])
            if len(texts) == 60:
                break
    options = Options()
    for text, s in zip(texts, sketch_many(texts, options), strict=True):
        hashes, sig = _reference(text, options)
        assert np.array_equal(s.shingles, hashes)
        assert np.array_equal(s.signature, sig)


text_strategy = st.text(alphabet=st.sampled_from(ALPHABET), max_size=80)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(text_strategy, min_size=1, max_size=6), t2s=st.booleans())
def test_random_text_tokens_equal_reference(texts: list[str], t2s: bool) -> None:
    _tokens_equal(texts, NormalizeOptions(t2s=t2s))


@settings(max_examples=100, deadline=None)
@given(text=text_strategy, cjk=st.integers(1, 6), word=st.integers(1, 4))
def test_random_text_sketch_equals_reference(text: str, cjk: int, word: int) -> None:
    options = Options(cjk_ngram=cjk, word_ngram=word)
    fast = sketch(text, options)
    hashes, sig = _reference(text, options)
    assert np.array_equal(fast.shingles, hashes)
    assert np.array_equal(fast.signature, sig)


@pytest.mark.parametrize("width", [8, 13, 20, 29, 31], ids=str)
def test_hard_wrapped_text_with_numbers_and_words(width: int) -> None:
    """Breaks inside numbers and Latin words of hard-wrapped CJK text, mended or not by the
    segmenter: the fast path takes the full path for them and agrees."""
    body = "我们在2011年的时候去了北京，看到了Beijing的变化。还有上海的地方以及很多别的城市"
    text = "\n".join(body[k : k + width] for k in range(0, len(body), width)) * 3
    _tokens_equal([text, "普通的一行。", text.replace("\n", "\r\n")], NormalizeOptions())


@pytest.mark.parametrize(
    "text",
    ["今事反覆故老", "沈香熏小像", "游人得得過。⿰木養深黃", "乾隆皇帝於是徵收", "薴麻"],
    ids=["phrase-without-traditional", "phrase-shen", "description-sequence", "phrases", "chain"],
)
def test_opencc_phrases_and_description_sequences(text: str) -> None:
    _tokens_equal([text, "臺灣" + text, text + "ＡＢＣ"], NormalizeOptions())


def test_space_next_to_cjk_word_characters() -> None:
    _tokens_equal(["0 々", "ab 〇 cd", "第 々 x", "〆\n1"], NormalizeOptions())


def test_separator_character_inside_a_text() -> None:
    _tokens_equal(["前\uffff後", "abc\uffffdef", "中文"], NormalizeOptions())


def test_empty_and_punctuation_only_texts() -> None:
    batch = sketch_batch(["", "，。！", "中"], Options())
    assert batch.counts.tolist() == [0, 0, 1]
    assert batch.lengths.tolist() == [0, 0, 1]
    assert (batch.signatures[0] == 0xFFFFFFFF).all()
    assert np.array_equal(batch.signatures[0], MinHash(128, 1).hashvalues)


def test_without_hashes_same_signatures() -> None:
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    a = sketch_batch(texts, Options())
    b = sketch_batch(texts, Options(), with_hashes=False)
    assert b.hashes.size == 0
    assert np.array_equal(a.signatures, b.signatures)
    assert np.array_equal(a.lengths, b.lengths)


@pytest.mark.parametrize("num_perm,seed", [(128, 1), (64, 7), (256, 42)], ids=str)
def test_kernel_signature_equals_datasketch(num_perm: int, seed: int) -> None:
    text = "".join(random.Random(seed).choice(ALPHABET[:60]) for _ in range(3000))
    a, b = permutations(num_perm, seed)
    out = sketch_codes(*pack([text]), 5, 3, a, b)
    hashes = shingle_hashes(text)
    m = MinHash(num_perm=num_perm, seed=seed, hashfunc=lambda h: h, scheme="affine32")
    m.update_batch(hashes.tolist())
    assert np.array_equal(out.signatures[0], m.hashvalues)
    assert np.array_equal(out.shingles(0), hashes)


# --- estimation against classic MinHash ---------------------------------------------------

_CJK = (
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着"
    "去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主"
    "行方又如前所本见经头面公同三已老从动两长"
)
_WORDS = [f"w{i}" for i in range(5000)]


def _pair(rng: random.Random, cjk: bool, long: bool) -> tuple[str, str]:
    """Two texts: the second is the first with a random share of its tokens replaced."""
    size = rng.randrange(400, 1500) if long else rng.randrange(8, 60)
    rate = rng.random()
    if cjk:
        a = [rng.choice(_CJK) for _ in range(size)]
        b = [rng.choice(_CJK) if rng.random() < rate else t for t in a]
        return "".join(a), "".join(b)
    a = [rng.choice(_WORDS) for _ in range(size)]
    b = [rng.choice(_WORDS) if rng.random() < rate else t for t in a]
    return " ".join(a), " ".join(b)


def _exact(x: str, y: str) -> float:
    sx, sy = set(shingles(x)), set(shingles(y))
    return len(sx & sy) / len(sx | sy) if sx | sy else 1.0


def _datasketch_estimate(x: str, y: str) -> float:
    """datasketch's default MinHash (SHA-1 of each shingle, 128 slots): classic MinHash."""
    ma, mb = MinHash(num_perm=128), MinHash(num_perm=128)
    ma.update_batch([s.encode("utf-8") for s in shingles(x)])
    mb.update_batch([s.encode("utf-8") for s in shingles(y)])
    return float(ma.jaccard(mb))


@pytest.mark.slow
def test_estimation_error_no_worse_than_classic_minhash() -> None:
    """2,000 pairs, Jaccard from 0 to 1, short and long, CJK and Latin: the fast path's RMSE
    is within 10% of datasketch's classic MinHash with the same number of slots, and both are
    near the theory (sqrt(J(1-J)/128) averaged over the pairs)."""
    rng = random.Random(5)
    pairs = [_pair(rng, cjk=i % 2 == 0, long=i % 4 < 2) for i in range(2000)]
    exact = np.array([_exact(x, y) for x, y in pairs])
    flat = [t for pair in pairs for t in pair]
    # the shingles of _exact and _datasketch_estimate: shingle.shingles' own sizes
    sigs = sketch_batch(flat, Options(cjk_ngram=5, word_ngram=3)).signatures
    fast = np.array([estimate_jaccard(sigs[2 * i], sigs[2 * i + 1]) for i in range(len(pairs))])
    classic = np.array([_datasketch_estimate(x, y) for x, y in pairs])
    assert exact.min() < 0.05 and exact.max() > 0.95  # the whole range is covered
    rmse_fast = float(np.sqrt(np.mean((fast - exact) ** 2)))
    rmse_classic = float(np.sqrt(np.mean((classic - exact) ** 2)))
    theory = float(np.sqrt(np.mean(exact * (1 - exact) / 128)))
    assert rmse_fast <= 1.1 * rmse_classic
    assert rmse_fast <= 1.2 * theory


def test_token_class_table_follows_the_token_pattern() -> None:
    table = token_classes()
    rng = random.Random(0)
    points = list(range(0x3100)) + [rng.randrange(0x110000) for _ in range(20_000)]
    for c in points:
        if 0xD800 <= c < 0xE000:
            continue
        m = _TOKEN.fullmatch(chr(c))
        expected = 0 if m is None else (1 if m.group(1) is not None else 2)
        assert table[c] == expected, hex(c)
