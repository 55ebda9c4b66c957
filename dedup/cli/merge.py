"""``dedupe merge FILE...``: one canonical text from near-duplicate versions, with provenance."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import InputError
from ..options import POLICIES, NormalizeOptions, Options
from ..textsafe import visible_id
from .common import build_read_options, dedup_errors, read_options
from .output import echo_document, json_dumps

if TYPE_CHECKING:
    from ..document import Document


@click.command()
@click.argument("inputs", metavar="FILE...", nargs=-1, required=True)
@click.option(
    "--policy",
    type=click.Choice(POLICIES),
    default="representative",
    show_default=True,
    help="Which reading of each paragraph to keep: the representative's, the one most "
    "members share, or the longest.",
)
@click.option(
    "--representative",
    metavar="ID",
    default=None,
    help="Document id to merge onto (default: the longest text, as `dedupe run` chooses).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    default=None,
    help="Write to FILE instead of stdout.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Write the provenance of every merged paragraph as JSON instead of the text.",
)
@click.option(
    "--no-t2s",
    is_flag=True,
    help="Do not convert traditional Chinese to simplified before aligning.",
)
@read_options
@dedup_errors()
def merge(
    inputs: tuple[str, ...],
    policy: str,
    representative: str | None,
    out: Path | None,
    as_json: bool,
    no_t2s: bool,
    **flags: Any,
) -> None:
    """Merge versions of one text into one canonical text.

    FILE... hold the versions (.txt files, or JSONL/CSV/Parquet with one record each). Every
    paragraph any version has is kept, in reading order, in the ORIGINAL surface form of the
    version chosen by --policy. Paragraphs are separated by blank lines. Exit code 0 on
    success, 1 on errors, 2 on bad usage.

    \b
    Examples:
      dedupe merge a.txt b.txt c.txt > merged.txt
      dedupe merge versions.jsonl --policy majority --json --out merged.json
    """
    from ..document import Skipped
    from ..io import read_documents
    from ..merge import merge_documents, merged_to_dict
    from ..report.files import write_json, write_text

    if out is not None:
        _check_not_an_input(out, inputs)
    documents: list[Document] = []
    for item in read_documents(inputs, build_read_options(**flags)):
        if isinstance(item, Skipped):
            raise InputError(f"cannot read {visible_id(item.source)}: {visible_id(item.reason)}")
        documents.append(item)
    if not documents:
        raise InputError("no documents found in " + ", ".join(map(visible_id, inputs)))
    options = Options(normalize=NormalizeOptions(t2s=not no_t2s))
    merged = merge_documents(documents, policy, representative=representative, options=options)
    if as_json:
        data = merged_to_dict(merged)
        if out is None:
            click.echo(json_dumps(data, indent=2))
        else:
            write_json(out, data)
    elif out is None:
        echo_document(merged.text)
    else:
        write_text(out, merged.text)


def _check_not_an_input(out: Path, inputs: tuple[str, ...]) -> None:
    """Refuse an --out that is one of the inputs, or inside an input folder's files: the merge
    would replace a version it was made from."""
    from ..errors import ConfigError

    target = out.resolve()
    for given in inputs:
        if given == "-":
            continue
        source = Path(given).resolve()
        if target == source or (source.is_dir() and source in target.parents):
            raise ConfigError(
                f"--out {visible_id(str(out))} would overwrite the input {visible_id(given)} "
                "(or write into an input folder); pass another file"
            )
