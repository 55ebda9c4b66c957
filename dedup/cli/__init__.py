"""The ``dedupe`` command line: one module per command, none with logic of its own.

Importing the command line stays light (click and a few small modules): every command imports
the machinery it needs (numpy, numba, jinja2, ...) when it runs, so ``dedupe --help`` and
``dedupe COMMAND --help`` answer at once. ``tests/test_cli_help.py`` keeps it so.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from .._version import __version__
from ..shutdown import finish

F = TypeVar("F", bound=Callable[..., Any])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dedupe")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug) to stderr.")
def main(verbose: int) -> None:
    """Find, align and merge near-duplicate documents in a text corpus.

    \b
    Examples:
      dedupe run seeds/ --out reports/
      dedupe diff a.txt b.txt
      dedupe index add news.index feed.jsonl
      dedupe run --help
    """
    from ..memory import keep_freed_memory  # ctypes: only once a command runs

    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    keep_freed_memory()  # this process is ours: batches reuse their pages


def entry() -> None:
    """The ``dedupe`` executable: :func:`main`, then a quick exit with its exit code.

    Once the command is done, the process ends by :func:`dedup.shutdown.finish`.
    """
    try:
        main.main(prog_name="dedupe")
        code: int = 0
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            code = done.code or 0
        else:
            print(done.code, file=sys.stderr)
            code = 1
    finish(code)


def _register() -> None:
    from .diff import diff
    from .eval import eval_command
    from .index import index
    from .merge import merge
    from .run import run
    from .spark import spark

    for command in (run, diff, merge, index, eval_command, spark):
        main.add_command(command)


_register()
