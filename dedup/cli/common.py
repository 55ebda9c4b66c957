"""What every command shares: option decorators, error conversion, progress bars."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from ..errors import ConfigError, DedupError
from ..options import NormalizeOptions, Options, ReadOptions

F = TypeVar("F", bound=Callable[..., Any])


def dedup_errors(exit_code: int = 1) -> Callable[[F], F]:
    """Turn library errors into a clean message and an exit code, in one place.

    ConfigError is a usage problem (exit 2); every other DedupError exits with ``exit_code``.
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except ConfigError as exc:
                click.echo(f"Error: {exc}", err=True)
                sys.exit(2)
            except DedupError as exc:
                click.echo(f"Error: {exc}", err=True)
                sys.exit(exit_code)

        return wrapper  # type: ignore[return-value]

    return decorate


def read_options(func: F) -> F:
    """The reader flags shared by every command that reads documents."""
    func = click.option(
        "--id-field", default="id", show_default=True, help="JSONL/CSV/Parquet field with the id."
    )(func)
    func = click.option(
        "--text-field",
        default="text",
        show_default=True,
        help="JSONL/CSV/Parquet field with the text.",
    )(func)
    return func


def match_options(func: F) -> F:
    """The flags that decide what counts as a near-duplicate."""
    defaults = Options()
    for decorator in reversed(
        [
            click.option(
                "--threshold",
                type=click.FloatRange(0.0, 1.0, min_open=True),
                default=defaults.threshold,
                show_default=True,
                help="Jaccard similarity of shingle sets that makes two documents duplicates.",
            ),
            click.option(
                "--num-perm",
                type=click.IntRange(2, 4096),
                default=defaults.num_perm,
                show_default=True,
                help="MinHash permutations.",
            ),
            click.option(
                "--ngram",
                type=click.IntRange(1, 64),
                default=defaults.cjk_ngram,
                show_default=True,
                help="Shingle size in characters for Chinese/Japanese/Korean text.",
            ),
            click.option(
                "--word-ngram",
                type=click.IntRange(1, 64),
                default=defaults.word_ngram,
                show_default=True,
                help="Shingle size in words for space-delimited scripts.",
            ),
            click.option(
                "--seed",
                type=int,
                default=defaults.seed,
                show_default=True,
                help="Seed of the MinHash permutations.",
            ),
            click.option(
                "--no-t2s",
                is_flag=True,
                help="Do not convert traditional Chinese to simplified before matching.",
            ),
        ]
    ):
        func = decorator(func)
    return func


def build_read_options(text_field: str, id_field: str, **_: Any) -> ReadOptions:
    """ReadOptions from the shared reader flags."""
    return ReadOptions(text_field=text_field, id_field=id_field)


def build_options(
    threshold: float,
    num_perm: int,
    ngram: int,
    word_ngram: int,
    seed: int,
    no_t2s: bool,
    containment: float | None = None,
    **_: Any,
) -> Options:
    """Options from the shared matching flags."""
    return Options(
        threshold=threshold,
        num_perm=num_perm,
        cjk_ngram=ngram,
        word_ngram=word_ngram,
        seed=seed,
        containment=containment,
        normalize=NormalizeOptions(t2s=not no_t2s),
    )


@contextmanager
def progress_bar(label: str, quiet: bool) -> Iterator[Callable[[int, int | None], None]]:
    """A progress callback ``(done, total)`` drawn on stderr when it is a terminal.

    Off with ``--quiet`` or when stderr is not a TTY, so logs and pipes stay clean.
    """
    if quiet or not sys.stderr.isatty():
        yield lambda done, total: None
        return
    state: dict[str, Any] = {"bar": None, "done": 0}

    def update(done: int, total: int | None) -> None:
        bar = state["bar"]
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
            state["bar"] = bar
        bar.update(done - state["done"])
        state["done"] = done

    try:
        yield update
    finally:
        if state["bar"] is not None:
            state["bar"].__exit__(None, None, None)
