"""The ``dedupe`` command line: one module per command, none with logic of its own."""

from __future__ import annotations

import logging

import click

from .._version import __version__
from ..memory import keep_freed_memory


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dedupe")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug) to stderr.")
def main(verbose: int) -> None:
    """Find, align and merge near-duplicate documents in a text corpus."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    keep_freed_memory()  # this process is ours: batches reuse their pages


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
