"""``dedupe diff A B``: align two documents paragraph by paragraph and show every difference."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import InputError
from ..options import NormalizeOptions
from ..textsafe import visible_id
from .common import build_read_options, dedup_errors, read_options, renamed_option
from .output import echo_document, json_dumps

if TYPE_CHECKING:
    from ..document import Document


def _one_document(path: str, flags: dict[str, Any]) -> Document:
    """The single document in ``path``; an InputError when there is none or more than one."""
    from ..document import Skipped
    from ..io import read_documents

    found: list[Document] = []
    for item in read_documents([path], build_read_options(**flags)):
        if isinstance(item, Skipped):
            raise InputError(f"cannot read {visible_id(item.source)}: {visible_id(item.reason)}")
        found.append(item)
        if len(found) > 1:
            break
    if len(found) != 1:
        what = "no document" if not found else "more than one document"
        raise InputError(
            f"{visible_id(path)} holds {what}; dedupe diff compares exactly one against one"
        )
    return found[0]


_PAGE = click.Path(dir_okay=False, path_type=Path)


@click.command()
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
    help="Print a unified paragraph diff, the alignment as JSON, or the HTML page.",
)
@click.option(
    "--html-out",
    "html_path",
    type=_PAGE,
    metavar="FILE",
    default=None,
    help="Also write the side-by-side HTML page to FILE (whatever --format prints).",
)
@renamed_option("--html", "--html-out", "html_path", type=_PAGE)
@click.option(
    "--no-t2s",
    is_flag=True,
    help="Do not convert traditional Chinese to simplified before aligning.",
)
@click.option(
    "--color/--no-color",
    default=None,
    help="Highlight character differences (default: when stdout is a terminal).",
)
@read_options
@dedup_errors(exit_code=2)
def diff(
    a: str,
    b: str,
    fmt: str,
    html_path: Path | None,
    no_t2s: bool,
    color: bool | None,
    **flags: Any,
) -> None:
    """Align document A with document B, paragraph by paragraph.

    A and B are files (.txt, or JSONL/CSV/Parquet holding one record each). Exit status:
    0 when they are the same up to normalization (width, punctuation, traditional/simplified,
    whitespace, paragraph layout), 1 when they differ, 2 on trouble.

    \b
    Examples:
      dedupe diff a.txt b.txt
      dedupe diff a.txt b.txt --format json > alignment.json
      dedupe diff a.txt b.txt --html-out diff.html
    """
    from ..align import align, alignment_to_dict
    from ..report.files import write_text
    from ..report.html import diff_page
    from ..report.text import render_unified

    doc_a = _one_document(a, flags)
    doc_b = _one_document(b, flags)
    options = NormalizeOptions(t2s=not no_t2s)
    result = align(doc_a, doc_b, options)
    if html_path is not None:
        write_text(html_path, diff_page(doc_a, doc_b, result, options))
    if fmt == "json":
        data = alignment_to_dict(result, doc_a, doc_b)
        click.echo(json_dumps(data, indent=2))
    elif fmt == "html":
        echo_document(diff_page(doc_a, doc_b, result, options))
    else:
        use_color = sys.stdout.isatty() if color is None else color
        click.echo(render_unified(result, doc_a, doc_b, color=use_color), nl=False, color=use_color)
    sys.exit(0 if result.identical else 1)
