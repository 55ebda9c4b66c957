"""What the commands print from the data: valid JSON, and text that cannot act on a terminal.

Every ``--json`` output goes through :func:`json_dumps`, document text through
:func:`echo_document`; ids and paths in human-readable lines through
:func:`dedup.textsafe.visible_id`.
"""

from __future__ import annotations

import json
import math
import numbers
import re
import sys
from typing import Any

import click

from ..textsafe import UNSAFE, visible

__all__ = ["echo_document", "json_dumps"]


def _finite(value: Any) -> Any:
    """``value`` with every NaN and infinity (at any depth) replaced by ``None``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def _default(value: Any) -> Any:
    # numpy scalars and the like: numbers stay numbers (a non-finite one null), the rest text
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else None
    return str(value)


def _u_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_dumps(data: Any, *, indent: int | None = None) -> str:
    """``data`` as RFC 8259 JSON that is safe to print on a terminal.

    * NaN and infinities become ``null``: JSON has no token for them (Python's ``NaN`` breaks
      ``jq`` and every strict parser), and ``null`` keeps a numeric field a number-or-missing
      for typed readers, as JavaScript's ``JSON.stringify`` does.
    * Controls, bidi controls, U+2028/U+2029 and lone surrogates in strings are written as
      ``\\u`` escapes: the same text once parsed, nothing that acts on a terminal when shown.
    * Other text stays as it is (``ensure_ascii=False``): Chinese reads as Chinese.

    Objects JSON does not know are written as their ``str``, numpy numbers as numbers.

    >>> print(json_dumps({"id": "a\\u202eb", "score": float("nan"), "title": "标题"}))
    {"id": "a\\u202eb", "score": null, "title": "标题"}
    """
    text = json.dumps(
        _finite(data), ensure_ascii=False, indent=indent, allow_nan=False, default=_default
    )
    # json.dumps escapes C0 controls itself; the rest of UNSAFE can only stand inside strings,
    # where a \u escape means the same character.
    return UNSAFE.sub(_u_escape, text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def echo_document(text: str) -> None:
    """Print document text on stdout: exact into a pipe or file, through
    :func:`dedup.textsafe.visible` on a terminal, where its controls would act.

    ``color=True`` off a terminal: click would otherwise cut what looks like an ANSI colour
    code out of the text, and ``dedupe merge a b > merged.txt`` would not hold the text.
    """
    if sys.stdout.isatty():
        click.echo(visible(text), nl=False)
    else:
        click.echo(text, nl=False, color=True)
