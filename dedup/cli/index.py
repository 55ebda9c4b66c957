"""``dedupe index``: a persistent near-duplicate index for ingestion (add, query, remove, stats)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import click

from ..textsafe import visible_id
from .common import (
    build_options,
    build_read_options,
    dedup_errors,
    interruptible,
    match_options,
    progress_bar,
    read_options,
    renamed_option,
    report_skipped,
)
from .output import json_dumps

if TYPE_CHECKING:
    from ..document import Document, Skipped
    from ..index import Index, Match

_FIELDS = {  # matching flag -> Options field it sets
    "threshold": "threshold",
    "num_perm": "num_perm",
    "ngram": "cjk_ngram",
    "word_ngram": "word_ngram",
    "seed": "seed",
    "no_t2s": "normalize",
}
_MATCH_FLAGS = tuple(_FIELDS)


@click.group(short_help="A persistent near-duplicate index: add, query, remove, stats.")
def index() -> None:
    """A persistent index that answers "have we already got this?" document by document.

    INDEX is an SQLite file path (created on first add), or redis://host:port/db.

    \b
    Examples:
      dedupe index add news.index feed.jsonl
      dedupe index query news.index new.jsonl --top 3
      dedupe index stats redis://localhost:6379/0
    """


def _open_for_adding(ctx: click.Context, target: str, flags: dict[str, Any]) -> Index:
    """Open (or create) the index; matching flags given on the command line must fit it.

    Only the flags actually given are compared with an existing index's options, so
    ``--threshold 0.8`` on an index built with ``--ngram 3`` does not trip over the n-gram.
    """
    from ..index import Index, IndexNotFound

    given = [
        name
        for name in _MATCH_FLAGS
        if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT
    ]
    if not given:
        return Index.open(target)
    wanted = build_options(**flags)
    try:
        existing = Index.open(target, create=False)
    except IndexNotFound:
        return Index.open(target, wanted)
    with existing:
        base = existing.options
    changes = {_FIELDS[name]: getattr(wanted, _FIELDS[name]) for name in given}
    return Index.open(target, base.with_(**changes))


def _documents(
    inputs: tuple[str, ...], flags: dict[str, Any], skipped: list[Skipped]
) -> Iterator[Document]:
    """The documents of INPUTS; what cannot be read goes to ``skipped``, reported at the end."""
    from ..document import Skipped
    from ..io import read_documents

    for item in read_documents(inputs, build_read_options(**flags)):
        if isinstance(item, Skipped):
            skipped.append(item)
            continue
        yield item


def _after_reading(inputs: tuple[str, ...], read: int, skipped: list[Skipped], quiet: bool) -> None:
    """Report the skipped inputs (each reason once); exit 1 when nothing could be read."""
    from ..errors import InputError

    if not quiet or not read:
        report_skipped(skipped)
    if not read:
        named = ", ".join(visible_id(i) for i in inputs)
        detail = f"{len(skipped)} skipped, reasons above" if skipped else "no file to read"
        raise InputError(f"no document could be read from {named} ({detail})")


def _match_record(match: Match) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": match.id,
        "similarity": round(match.similarity, 6),
        "containment": round(match.containment, 6),
    }
    if match.meta is not None:
        record["meta"] = match.meta
    if match.explanation is not None:
        e = match.explanation
        record["explanation"] = {
            "estimated_similarity": round(e.estimated_similarity, 6),
            "similarity": round(e.similarity, 6),
            "query_in_match": round(e.query_in_match, 6),
            "match_in_query": round(e.match_in_query, 6),
            "alignment": e.alignment,
        }
    return record


@index.command()
@click.argument("target", metavar="INDEX")
@click.argument("inputs", nargs=-1, required=True)
@match_options
@read_options
@click.option(
    "--batch-size",
    type=click.IntRange(1, 1_000_000),
    default=1000,
    show_default=True,
    help="Documents per atomic write.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=1,
    show_default=True,
    help="Processes that normalize and sign documents while one writes.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no closing line.")
@click.pass_context
@dedup_errors()
@interruptible()
def add(
    ctx: click.Context,
    /,
    target: str,
    inputs: tuple[str, ...],
    batch_size: int,
    workers: int,
    quiet: bool,
    **flags: Any,
) -> None:
    """Add the documents in INPUTS to INDEX (created with the given options if absent).

    A document whose id is already indexed replaces it. Matching options given for an existing
    index must equal the ones it was built with (exit 2 otherwise).

    \b
    Examples:
      dedupe index add news.index feed.jsonl
      dedupe index add news.index archive/ --threshold 0.8 --workers 2
    """
    skipped: list[Skipped] = []
    with (
        _open_for_adding(ctx, target, flags) as idx,
        progress_bar("indexing", quiet) as progress,
    ):
        added = idx.add_many(
            _documents(inputs, flags, skipped),
            batch_size=batch_size,
            workers=workers,
            progress=progress,
        )
        total = len(idx)
    _after_reading(inputs, added, skipped, quiet)
    if not quiet:
        click.echo(
            f"{added} documents added, {len(skipped)} skipped; "
            f"{total} documents in {visible_id(idx.target)}"
        )


@index.command()
@click.argument("target", metavar="INDEX")
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "--top",
    "-k",
    "top",
    type=click.IntRange(1),
    default=10,
    show_default=True,
    help="At most this many matches per document, best first.",
)
@renamed_option("--k", "--top", "top", type=click.IntRange(1))
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    default=None,
    help="Similarity a match needs [default: the index's threshold].",
)
@click.option("--explain", is_flag=True, help="Add the estimated and exact figures per match.")
@read_options
@click.option("-q", "--quiet", is_flag=True, help="Do not report skipped inputs on stderr.")
@dedup_errors()
def query(
    target: str,
    inputs: tuple[str, ...],
    top: int,
    threshold: float | None,
    explain: bool,
    quiet: bool,
    **flags: Any,
) -> None:
    """Look up each document of INPUTS in INDEX; one JSON line per document on stdout.

    Each line is {"id": ..., "matches": [{"id", "similarity", "containment", "meta"}, ...]},
    at most --top matches, best first. The index is not changed.

    \b
    Examples:
      dedupe index query news.index new.jsonl
      dedupe index query news.index draft.txt -k 1 --threshold 0.9 --explain
    """
    from ..index import Index

    skipped: list[Skipped] = []
    queried = 0
    with Index.open(target, create=False) as idx:
        for doc in _documents(inputs, flags, skipped):
            matches = idx.query(doc.text, top, threshold=threshold, explain=explain)
            line = {"id": doc.id, "matches": [_match_record(m) for m in matches]}
            click.echo(json_dumps(line))
            queried += 1
    _after_reading(inputs, queried, skipped, quiet)


@index.command()
@click.argument("target", metavar="INDEX")
@click.argument("ids", nargs=-1, required=True)
@click.option("-q", "--quiet", is_flag=True, help="No closing line.")
@dedup_errors()
def remove(target: str, ids: tuple[str, ...], quiet: bool) -> None:
    """Remove the documents with these IDS from INDEX (ids not indexed are reported).

    \b
    Examples:
      dedupe index remove news.index a1 b7
    """
    from ..index import Index

    with Index.open(target, create=False) as idx:
        missing = [i for i in dict.fromkeys(ids) if i not in idx]
        removed = idx.remove_many(ids)
        total = len(idx)
    for doc_id in missing:
        click.echo(f"not in the index: {visible_id(doc_id)}", err=True)
    if not quiet:
        click.echo(f"{removed} documents removed; {total} documents in {visible_id(idx.target)}")


@index.command()
@click.argument("target", metavar="INDEX")
@click.option("--verify", is_flag=True, help="Also check the index's consistency (reads it all).")
@dedup_errors()
def stats(target: str, verify: bool) -> None:
    """Print what INDEX holds and how it was built, as JSON. With --verify, exit 1 on problems.

    \b
    Examples:
      dedupe index stats news.index
      dedupe index stats news.index --verify
    """
    from ..index import Index

    with Index.open(target, create=False) as idx:
        figures = idx.stats()
        problems = idx.verify() if verify else None
    if problems is not None:
        figures["problems"] = problems
    click.echo(json_dumps(figures, indent=2))
    if problems:
        raise SystemExit(1)
