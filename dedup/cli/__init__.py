"""The ``dedupe`` command line: one module per command, none with logic of its own."""

from __future__ import annotations

import logging

import click

from .._version import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dedupe")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug) to stderr.")
def main(verbose: int) -> None:
    """Find, align and merge near-duplicate documents in a text corpus."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def _register() -> None:
    from .run import run

    main.add_command(run)
    from .diff import diff; main.add_command(diff)  # noqa: E702, I001
    from .merge import merge; main.add_command(merge)  # noqa: E702, I001
    from .eval import eval_command; main.add_command(eval_command)  # noqa: E702, I001
    from .spark import spark; main.add_command(spark)  # noqa: E702, I001


_register()
