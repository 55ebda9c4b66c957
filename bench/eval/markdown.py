"""The README section of the evaluation, written from ``results.json`` by ``make eval``."""

from __future__ import annotations

from typing import Any

from dedup.lsh import lsh_parameters

SHOWN = (0.4, 0.5, 0.6, 0.7, 0.8)


def _f(x: float | None, places: int = 3) -> str:
    return "–" if x is None else f"{x:.{places}f}"


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def _row_at(sweep: list[dict[str, Any]], threshold: float) -> dict[str, Any]:
    return next(r for r in sweep if abs(r["threshold"] - threshold) < 1e-9)


def results_table(results: dict[str, Any]) -> list[str]:
    lines = [
        "| dataset | documents | scored | precision | recall | F1 | ARI | time (s) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for d in results["datasets"]:
        s = d["default"]["scores"]
        t = d["default"]["timings"]["detection"]
        lines.append(
            f"| {d['name']} | {d['documents']:,} | {d['scored']:,} | {_f(s['precision'])} | "
            f"{_f(s['recall'])} | {_f(s['f1'])} | {_f(s['ari'])} | {t:.1f} |"
        )
    return lines


def ngram_table(d: dict[str, Any]) -> list[str]:
    unit = "characters" if d["script"] == "cjk" else "words"
    head = " | ".join(f"F1 at {t}" for t in SHOWN)
    lines = [
        f"| {d['name']}: n ({unit}) | {head} | best F1 (threshold) |",
        "| ---: | " + " | ".join("---:" for _ in SHOWN) + " | ---: |",
    ]
    for n, e in d["ngrams"].items():
        best = max(e["sweep"], key=lambda r: (r["f1"], -r["threshold"]))
        cells = " | ".join(_f(_row_at(e["sweep"], t)["f1"]) for t in SHOWN)
        lines.append(f"| {n} | {cells} | {_f(best['f1'])} ({best['threshold']}) |")
    return lines


def threshold_table(d: dict[str, Any]) -> list[str]:
    lines = [
        f"| {d['name']}: threshold | precision | recall | F1 | pairs found | other pairs |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in d["default"]["sweep"]:
        if abs(r["threshold"] * 10 - round(r["threshold"] * 10)) > 1e-9:
            continue
        lines.append(
            f"| {r['threshold']} | {_f(r['precision'])} | {_f(r['recall'])} | "
            f"{_f(r['f1'])} | {r['true_positives']} | {r['false_positives']} |"
        )
    return lines


def perm_table(results: dict[str, Any]) -> list[str]:
    perms = list(results["datasets"][0]["perms"])
    lines = [
        "| dataset | " + " | ".join(f"recall / candidates / s at {p}" for p in perms) + " |",
        "| --- | " + " | ".join("---:" for _ in perms) + " |",
    ]
    for d in results["datasets"]:
        cells = []
        for p in perms:
            e = d["perms"][p]
            cells.append(
                f"{_f(e['scores']['recall'])} / {e['candidates']:,} / "
                f"{e['timings']['detection']:.1f}"
            )
        lines.append(f"| {d['name']} | " + " | ".join(cells) + " |")
    return lines


def _at(d: dict[str, Any], n: int, threshold: float, key: str) -> float:
    row: float = _row_at(d["ngrams"][n]["sweep"], threshold)[key]
    return row


def choice(results: dict[str, Any]) -> list[str]:
    """Why these defaults, in the figures of the sweeps."""
    o = results["options"]
    by = {d["name"]: d for d in results["datasets"]}
    t, cjk, words = o["threshold"], o["cjk_ngram"], o["word_ngram"]
    lines: list[str] = []
    grids = {n for d in by.values() for n in d["ngrams"]}
    if not {2, 3, 4, 5} <= grids:
        return lines
    if {"generated-zh", "tang"} <= by.keys():
        zh, tang = by["generated-zh"], by["tang"]
        best_zh = max(_at(zh, n, t, "f1") for n in zh["ngrams"])
        lines.append(
            f"- **Character {cjk}-grams.** At threshold {t} they reach F1 "
            f"{_f(_at(zh, cjk, t, 'f1'))} on generated-zh (best size {_f(best_zh)}) and recall "
            f"{_f(_at(tang, cjk, t, 'recall'))} on tang, against "
            f"{_f(_at(tang, 5, t, 'recall'))} for 5-grams: a variant character breaks n "
            "shingles, and poems are short. 2-grams gain little more "
            f"({_f(_at(tang, 2, t, 'recall'))}) for "
            f"{tang['ngrams'][2]['sweep_candidates']:,} candidate pairs instead of "
            f"{tang['ngrams'][cjk]['sweep_candidates']:,}."
        )
    if {"generated-en", "newsgroups"} <= by.keys():
        en, news = by["generated-en"], by["newsgroups"]
        lines.append(
            f"- **Word {words}-grams.** F1 on generated-en at {t}: "
            + ", ".join(f"{n}-grams {_f(_at(en, n, t, 'f1'))}" for n in en["ngrams"])
            + f". 2-grams edge ahead there but on newsgroups report "
            f"{_at(news, 2, t, 'false_positives')} pairs outside the labels against "
            f"{_at(news, words, t, 'false_positives')} (its labels are byte-identical copies, "
            "found at every size: recall 1.0)."
        )
    if {"generated-en", "newsgroups", "tang"} <= by.keys():
        en, news, tang = by["generated-en"], by["newsgroups"], by["tang"]
        q = news["quotes"]
        lines.append(
            f"- **Threshold {t}.** Lower thresholds keep finding copies with more changes "
            f"(recall at 0.5, {t}, 0.7: generated-en {_f(_at(en, words, 0.5, 'recall'))}, "
            f"{_f(_at(en, words, t, 'recall'))}, {_f(_at(en, words, 0.7, 'recall'))}; tang "
            f"{_f(_at(tang, cjk, 0.5, 'recall'))}, {_f(_at(tang, cjk, t, 'recall'))}, "
            f"{_f(_at(tang, cjk, 0.7, 'recall'))}), but on newsgroups the pairs outside the "
            f"labels grow fast ({_at(news, words, 0.7, 'false_positives')} at 0.7, "
            f"{_at(news, words, t, 'false_positives')} at {t}, "
            f"{_at(news, words, 0.5, 'false_positives')} at 0.5) and more and more of them are "
            "replies quoting the post they answer, near in text but not duplicates (dropping "
            "them loses the reply): pairs where one side has at least 3 more quoted lines "
            "than the other are "
            + ", ".join(f"{v['quote_like']} of {v['other_pairs']} at {k}" for k, v in q.items())
            + "."
        )
    perms = {p for d in by.values() for p in d["perms"]}
    n = o["num_perm"]
    if {64, 256, n} <= perms:

        def recall(d: dict[str, Any], p: int) -> float:
            value: float = d["perms"][p]["scores"]["recall"]
            return value

        worse = [
            f"{d['name']} {_f(recall(d, 64))}" for d in by.values() if recall(d, 64) < recall(d, n)
        ]
        gain = max(recall(d, 256) - recall(d, n) for d in by.values())
        lines.append(
            f"- **{n} permutations.** With 64, recall at the threshold drops "
            f"({', '.join(worse) or 'nowhere'}; table below); 256 gain at most "
            f"{gain:.3f} recall for twice the signature work."
        )
    return lines + [""]


def readme_section(results: dict[str, Any]) -> str:
    o = results["options"]
    by = {d["name"]: d for d in results["datasets"]}
    out = [
        "## Accuracy",
        "",
        "Measured by `make eval` (`bench/eval/`; about half an hour on this shared 2-core machine) "
        "with `dedupe eval`'s machinery, at "
        f"the defaults: threshold {o['threshold']}, character {o['cjk_ngram']}-grams for Chinese, "
        f"word {o['word_ngram']}-grams for English, {o['num_perm']} permutations. Precision, "
        "recall and F1 count pairs of documents put in one cluster; ARI compares the clusterings "
        "whole; time is signatures, LSH candidates, verification and clustering on this machine "
        "(2 cores, shared).",
        "",
        *results_table(results),
        "",
    ]
    notes = []
    if "newsgroups" in by:
        d = by["newsgroups"]
        notes.append(
            f"- **newsgroups**: 20 Newsgroups with mail headers; the truth is the "
            f"{d['truth_groups']} groups of cross-posted copies, byte-identical, so recall must "
            "be 1.0 and precision counts every other pair the tool reports, true near-duplicates "
            f"included (see below). Every cross-posted pair is found; "
            f"{d['default']['scores']['clusters_matched']} of the {d['truth_groups']} groups come "
            "out as clusters of exactly their copies, the others inside larger clusters that "
            "also hold reposts."
        )
    if "tang" in by:
        t = by["tang"]["tang"]
        sample = ", ".join(f"{v} {k}" for k, v in t["sample_classes"].items())
        notes.append(
            f"- **tang**: the whole corpus is run; scores count the {by['tang']['scored']} "
            "documents of a hand-checked sample of 320 poems (`data/tang-cross-edition-pairs."
            f"jsonl`, see `data/README.md`). Recall is {_f(t['recall_complete'])} on the "
            f"{t['pairs_complete']} labelled pairs whose copies are complete and "
            f"{_f(t['recall_incomplete'])} on the {t['pairs_incomplete']} where one copy lost "
            "verses (the `ydqts` edition often keeps only the first three and last two verses of "
            "an eight-verse poem). Across the corpus the run joins "
            f"{t['corpus_clustered_documents']:,} poems into {t['corpus_clusters']:,} clusters, "
            f"{t['corpus_pairs']:,} pairs; a random sample of {t['sample']} of them, read "
            f"(`data/tang-reported-pairs-checked.jsonl`): {sample}. The {t['no_text_pairs']:,} "
            f"pairs among the {t['no_text_documents']} records whose text is only `。` or `空。` "
            "(the poem is lost) are identical texts, joined by design, but not the same poem; "
            "requiring 2 shingles per document would keep apart "
            f"{t['under_2_shingles_pairs']:,} pairs among {t['under_2_shingles_documents']} "
            "records."
        )
        c = by["tang"].get("containment")
        if c:
            notes.append(
                f"  With `--containment {c['containment']}` (join a copy when that share of its "
                "shingles lies inside another) recall rises to "
                f"{_f(c['scores']['recall'])} ({_f(c['tang']['recall_incomplete'])} on the cut "
                f"copies) at precision {_f(c['scores']['precision'])}, in "
                f"{c['timings']['detection']:.0f} s instead of "
                f"{by['tang']['default']['timings']['detection']:.0f} s."
            )
    if "generated-zh" in by or "generated-en" in by:
        notes.append(
            "- **generated-zh / generated-en**: near-duplicates generated from the real texts "
            "(`bench/corpus.py`, `bench/eval/datasets.py`): simplified/traditional, punctuation "
            "width, re-wrapping, paragraphs moved, dropped or inserted, 1-3% of characters or "
            "words changed."
        )
    out += notes + [
        "",
        "![precision, recall and F1 against the threshold](docs/eval/thresholds.png)",
        "",
        "### How the defaults were chosen",
        "",
        "One signature pass per setting; candidates from LSH tuned for the lowest threshold "
        "(0.3), exact Jaccard for each, clusters redrawn at every threshold (`dedupe eval "
        "--sweep`). F1 by shingle size (`docs/eval/ngrams.png`):",
        "",
    ]
    for d in results["datasets"]:
        out += ngram_table(d) + [""]
    out += choice(results) + ["Threshold at the default shingle sizes (every 0.1):", ""]
    for d in results["datasets"]:
        out += threshold_table(d) + [""]
    out += [
        "Permutations (recall at the threshold with its own LSH, candidate pairs, seconds):",
        "",
        *perm_table(results),
        "",
    ]
    if "newsgroups" in by:
        g = by["newsgroups"]["other_pairs"]
        sample = ", ".join(f"{v} {k}" for k, v in g["sample_classes"].items())
        headers = ", ".join(f"{v} {k}" for k, v in g["headers_decide_classes"].items())
        out += [
            "### Newsgroups: the pairs outside the labels",
            "",
            f"At the defaults the run reports {g['reported_pairs']:,} pairs: all "
            f"{g['labelled_pairs_found']:,} inside the cross-post groups and "
            f"{g['other_pairs']:,} others, every one listed in "
            "`docs/eval/newsgroups-other-pairs.jsonl` with its Jaccard similarity and that of "
            "the bodies alone. Hand classifications are in `data/newsgroups-checked-pairs.jsonl`.",
            "",
            f"- A random sample of {g['sample']} of the others, read: {sample}. Scaled up, "
            f"false positives are {_pct(g['sample_fp_share_of_reported'])} of the reported pairs "
            f"(95% interval {_pct(g['sample_fp_share_low'])}–{_pct(g['sample_fp_share_high'])}).",
            f"- Headers: in {g['headers_decide']} pairs the bodies alone are below the threshold "
            "or empty, so the mail headers (and signatures) decide. "
            f"All {g['headers_decide_checked']} were read: {headers}. Among the "
            f"{g['body_sample']} sampled pairs whose bodies alone pass the threshold, "
            f"{g['body_sample_fp']} are false positives.",
            f"- Together: about {g['fp_estimate']:.0f} false positives, "
            f"{_pct(g['fp_estimate_share'])} of the reported pairs. Every one joins short posts "
            "(an empty body, or a line of text and a three-line signature) by the same author: "
            "stripping mail headers, or a minimum number of shingles, would remove them.",
            "",
        ]
    lsh = [f"{d['name']} {d['default']['lsh_missed']:,}" for d in results["datasets"]]
    t, perms = o["threshold"], o["num_perm"]
    bands, rows = lsh_parameters(t, perms)

    def hit(j: float) -> str:
        return f"{1 - (1 - j**rows) ** bands:.2f}"

    out += [
        "### LSH at the threshold loses pairs just above it",
        "",
        "Pairs at or above the threshold that LSH tuned for the threshold itself never proposes "
        "(the sweep's LSH, tuned for 0.3, finds them): " + ", ".join(lsh) + ". For threshold "
        f"{t} and {perms} permutations datasketch picks {bands} bands of {rows} rows, which "
        f"proposes a pair of Jaccard similarity {t} with probability {hit(t)}, "
        f"{t + 0.05:.2f} with {hit(t + 0.05)}, {t + 0.1:.2f} with {hit(t + 0.1)}: its "
        "optimum weighs false positives (cheap here: every candidate is verified exactly) as "
        "much as false negatives. The recall at the threshold in the results table is what "
        "`dedupe run` finds today; the sweep tables show what exact verification of broader "
        "candidates finds.",
        "",
    ]
    return "\n".join(out)
