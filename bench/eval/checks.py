"""What the labels cannot say: the newsgroup pairs found outside the cross-post groups (listed,
with a hand-checked sample joined in) and the Tang recall by kind of pair."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from itertools import combinations
from pathlib import Path
from typing import Any

from dedup import Document
from dedup.cluster import overlap
from dedup.eval import Evaluation, detect

from .datasets import ROOT, TANG_LABELS, Dataset

NEWSGROUPS_CHECKED = ROOT / "data" / "newsgroups-checked-pairs.jsonl"
CLASSES = ("near-duplicate", "quoted reply", "false positive")


def _split(post: str) -> tuple[str, str]:
    head, sep, body = post.partition("\n\n")
    return (head, body) if sep else ("", post)


def _subject(head: str) -> str:
    m = re.search(r"^Subject: (.*)$", head, re.M)
    return m.group(1).strip() if m else ""


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion ``k / n``."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def read_checked(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    """Hand classifications of pairs, by sorted ``(a, b)``."""
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            out[tuple(sorted((r["a"], r["b"])))] = r
    return out


def newsgroups_other_pairs(ds: Dataset, ev: Evaluation, out: Path) -> dict[str, Any]:
    """List every reported pair outside the cross-post groups, with the similarity of the
    bodies alone (is it the headers that join them?), and join the hand-checked sample."""
    texts = {d.id: d.text for d in ds.documents}
    ids = sorted({i for e in ev.false_positives for i in (e.a, e.b)})
    sk = detect.sketch_documents([Document(i, _split(texts[i])[1]) for i in ids], ev.options)
    bodies = dict(zip(ids, sk.shingles, strict=True))
    checked = read_checked(NEWSGROUPS_CHECKED)
    threshold = ev.options.threshold
    records = []
    for e in ev.false_positives:
        (head_a, body_a), (head_b, body_b) = _split(texts[e.a]), _split(texts[e.b])
        body_j = overlap(bodies[e.a], bodies[e.b])[0]
        empty = not body_a.split() and not body_b.split()
        record: dict[str, Any] = {
            "a": e.a,
            "b": e.b,
            "jaccard": round(e.jaccard, 4),
            "body_jaccard": round(0.0 if empty else body_j, 4),
            "kind": e.kind,
            "headers_decide": empty or body_j < threshold,
            "subject_a": _subject(head_a),
            "subject_b": _subject(head_b),
        }
        hand = checked.get((e.a, e.b))
        if hand:
            record["checked"] = hand["class"]
            record["checked_as"] = hand["checked_as"]
            record["note"] = hand["note"]
        records.append(record)
    with (out / "newsgroups-other-pairs.jsonl").open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    reported = ev.scores.pairwise.true_positives + len(records)
    random_sample = [r for r in records if "random sample" in r.get("checked_as", [])]
    classes = Counter(r["checked"] for r in random_sample)
    n, fp = len(random_sample), classes.get("false positive", 0)
    low, high = wilson(fp, n)
    headers = [r for r in records if r["headers_decide"]]
    headers_checked = Counter(r["checked"] for r in headers if "checked" in r)
    body_sample = [r for r in random_sample if not r["headers_decide"]]
    body_fp = sum(1 for r in body_sample if r["checked"] == "false positive")
    estimate = headers_checked.get("false positive", 0) + (
        body_fp / len(body_sample) * (len(records) - len(headers)) if body_sample else 0.0
    )
    return {
        "reported_pairs": reported,
        "labelled_pairs_found": ev.scores.pairwise.true_positives,
        "other_pairs": len(records),
        "transitive": sum(1 for r in records if r["kind"] != "direct"),
        "checked_missing": len(checked) - sum(1 for r in records if "checked" in r),
        "sample": n,
        "sample_classes": {c: classes.get(c, 0) for c in CLASSES},
        "sample_fp_share_of_reported": fp / n * len(records) / reported if n else None,
        "sample_fp_share_low": low * len(records) / reported if n else None,
        "sample_fp_share_high": high * len(records) / reported if n else None,
        "headers_decide": len(headers),
        "headers_decide_checked": sum(headers_checked.values()),
        "headers_decide_classes": {c: headers_checked.get(c, 0) for c in CLASSES},
        "body_sample": len(body_sample),
        "body_sample_fp": body_fp,
        "fp_estimate": estimate,
        "fp_estimate_share": estimate / reported if reported else None,
    }


TANG_CHECKED = ROOT / "data" / "tang-reported-pairs-checked.jsonl"
TANG_CLASSES = ("same poem", "no text", "different poem")


def _quoted_lines(post: str) -> int:
    return sum(
        1
        for line in _split(post)[1].splitlines()
        if line.lstrip().startswith((">", "|")) or re.search(r"writes:|wrote:", line)
    )


def quote_like(ds: Dataset, ev: Evaluation) -> dict[str, int]:
    """How many of the pairs outside the labels look like a reply and the post it quotes:
    one side has at least 3 more quoted lines (``>``, ``|``, ``... writes:``) than the other."""
    texts = {d.id: d.text for d in ds.documents}
    quoted = {i: _quoted_lines(texts[i]) for e in ev.false_positives for i in (e.a, e.b)}
    return {
        "other_pairs": len(ev.false_positives),
        "quote_like": sum(1 for e in ev.false_positives if abs(quoted[e.a] - quoted[e.b]) >= 3),
    }


def tang_breakdown(ds: Dataset, ev: Evaluation) -> dict[str, Any]:
    """Recall on the labelled pairs whose copies are both complete, and on those where one
    edition lost verses; what the run joins across the whole corpus, with the hand-checked
    random sample of those pairs, and how many pairs join records that hold no poem."""
    cluster_of = {m: cid for cid, members in ev.clusters for m in members}
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for line in TANG_LABELS.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if r["relation"] != "same poem":
            continue
        kind = "complete" if r["complete"] else "incomplete"
        for a, b in combinations(r["group"], 2):
            total[kind] += 1
            found[kind] += a in cluster_of and cluster_of[a] == cluster_of.get(b)
    clustered = [d for d in ds.documents if d.id in cluster_of]
    sk = detect.sketch_documents(clustered, ev.options)
    lost = {d.id for d in clustered if re.sub(r"[\W_]", "", d.text) in ("", "空")}
    few = {i for i, s in zip(sk.ids, sk.shingles, strict=True) if s.size < 2}

    def pairs(ids: set[str]) -> int:
        return sum(k * (k - 1) // 2 for k in Counter(cluster_of[i] for i in ids).values())

    checked = read_checked(TANG_CHECKED)
    sample = Counter(
        r["class"]
        for (a, b), r in checked.items()
        if a in cluster_of and cluster_of[a] == cluster_of.get(b)
    )
    corpus_pairs = sum(len(m) * (len(m) - 1) // 2 for _, m in ev.clusters)
    return {
        "recall_complete": found["complete"] / total["complete"],
        "pairs_complete": total["complete"],
        "recall_incomplete": found["incomplete"] / total["incomplete"],
        "pairs_incomplete": total["incomplete"],
        "corpus_clusters": len(ev.clusters),
        "corpus_clustered_documents": len(clustered),
        "corpus_pairs": corpus_pairs,
        "no_text_documents": len(lost),
        "no_text_pairs": pairs(lost),
        "under_2_shingles_documents": len(few),
        "under_2_shingles_pairs": pairs(few),
        "sample": sum(sample.values()),
        "sample_missing": len(checked) - sum(sample.values()),
        "sample_classes": {c: sample.get(c, 0) for c in TANG_CLASSES},
    }
