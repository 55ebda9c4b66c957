"""The detection pipeline on the seeds and on variants made from them."""

from __future__ import annotations

import pytest
import variants

from dedup import Options, run
from dedup.document import Document, Skipped


def _clusters(result) -> list[set[str]]:  # type: ignore[no-untyped-def]
    return [set(c.members) for c in result.clusters]


def test_seeds_give_one_cluster(seed_texts: dict[str, str]) -> None:
    result = run(seed_texts.items())
    assert _clusters(result) == [{"000", "001"}]
    (cluster,) = result.clusters
    # 000 carries the extra title line, so it is the most complete member
    assert cluster.representative == "000"
    assert result.duplicate_of == {"001": "000"}


VARIANTS = {
    "traditional": lambda t: variants.traditional(t),
    "hard-wrapped": lambda t: variants.hard_wrap(t, 37),
    "moved": lambda t: variants.move_paragraphs(t, seed=3),
    "edited": lambda t: variants.edit(t, seed=5),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
@pytest.mark.parametrize("source", ["001", "002", "003", "004"])
def test_variant_clusters_with_its_source(
    seed_texts: dict[str, str], source: str, name: str
) -> None:
    corpus = dict(seed_texts)
    corpus["variant"] = VARIANTS[name](seed_texts[source])
    result = run(corpus.items())
    expected = {source, "variant"} | ({"000", "001"} if source in ("000", "001") else set())
    assert expected in _clusters(result)
    # nothing else is pulled in
    assert sum(len(c) for c in _clusters(result)) == len(expected) + (
        0 if source in ("000", "001") else 2
    )


@pytest.mark.parametrize("source", ["002", "003", "004"])
def test_excerpt_joins_only_with_containment(seed_texts: dict[str, str], source: str) -> None:
    corpus = dict(seed_texts)
    corpus["excerpt"] = variants.excerpt(seed_texts[source], 0.55)
    # At threshold 0.7, as the excerpt scenario is specified: 55% of 002's paragraphs hold over
    # 60% of its text, so at the default 0.6 that excerpt is a near-duplicate by Jaccard alone.
    plain = run(corpus.items(), Options(threshold=0.7))
    assert not any("excerpt" in c for c in _clusters(plain))

    contained = run(corpus.items(), Options(threshold=0.7, containment=0.8))
    assert {source, "excerpt"} in _clusters(contained)
    pair = next(
        p
        for p in contained.pairs
        if {contained.documents[p.a].id, contained.documents[p.b].id} == {source, "excerpt"}
    )
    assert pair.verdict == "contained"
    assert pair.jaccard < 0.7


def test_every_document_accounted_for(seed_texts: dict[str, str]) -> None:
    items: list = [Document(id=k, text=v) for k, v in seed_texts.items()]
    items.append(Document(id="000", text="same id again"))
    items.append(Skipped(source="bad.txt", reason="binary file"))
    result = run(items)
    kept = {d.id for d in result.kept()}
    removed = set(result.duplicate_of)
    assert kept.isdisjoint(removed)
    assert kept | removed == set(seed_texts)
    reasons = [s.reason for s in result.skipped]
    assert len(reasons) == 2
    assert any("duplicate id '000'" in r for r in reasons)


def test_representative_is_longest_then_smallest_id() -> None:
    text = "the quick brown fox jumps over the lazy dog near the river bank today"
    result = run([("b", text), ("a", text), ("c", text + " and again")])
    assert result.clusters[0].representative == "c"
    result = run([("b", text), ("a", text)])
    assert result.clusters[0].representative == "a"
