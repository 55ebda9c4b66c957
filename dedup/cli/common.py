"""What every command shares: option decorators, error conversion, progress bars."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..errors import ConfigError, DedupError
from ..textsafe import visible, visible_id

if TYPE_CHECKING:
    from ..document import Skipped
from ..options import NormalizeOptions, Options, ReadOptions
from ..report.files import journal

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
                click.echo(f"Error: {visible(str(exc))}", err=True)
                sys.exit(2)
            except DedupError as exc:
                click.echo(f"Error: {visible(str(exc))}", err=True)
                sys.exit(exit_code)

        return wrapper  # type: ignore[return-value]

    return decorate


def renamed_option(old: str, new: str, name: str, **attrs: Any) -> Callable[[F], F]:
    """Keep the flag spelling ``old`` working, hidden, for one release after its rename to ``new``.

    A value given as ``old`` is passed on as parameter ``name`` (the one ``new`` sets) after one
    warning line on stderr; giving both spellings is a usage error (exit 2). ``attrs`` are
    ``click.option``'s (type, metavar). Goes under ``@click.command()`` like an option:

    >>> @click.command()
    ... @click.option("--top", "-k", "top", type=int, default=10)
    ... @renamed_option("--k", "--top", "top", type=int)
    ... def query(top: int) -> None: ...
    """
    alias = "renamed_" + old.lstrip("-").replace("-", "_")

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            value = kwargs.pop(alias)
            if value is not None:
                ctx = click.get_current_context()
                if ctx.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE:
                    raise click.UsageError(f"{old} is the old spelling of {new}: give {new} only")
                click.echo(
                    f"warning: {old} is deprecated and goes in the next release; use {new}",
                    err=True,
                )
                kwargs[name] = value
            return func(*args, **kwargs)

        option = click.option(old, alias, hidden=True, default=None, **attrs)
        return option(wrapper)  # type: ignore[return-value]

    return decorate


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every ``finally`` and atomic writer cleans up."""


_EXIT_CODES = {"SIGINT": 130, "SIGTERM": 143}  # 128 + signal number, as shells report them
_LISTED = 12  # written files named one by one in the message; the rest are counted


class _RaiseTerminated:
    """SIGTERM handler raising :class:`Terminated` in the process that installed it only.

    Worker processes forked while it is installed must die of SIGTERM as usual (a pool stops
    its workers with it), not unwind the parent's copied stack, and not wait for a Python
    handler that a worker stuck in C code never runs: :func:`_default_in_child` puts the
    default back in every forked child, and the pid check covers any fork it misses.
    """

    def __init__(self) -> None:
        self.pid = os.getpid()

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if os.getpid() != self.pid:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise Terminated()


def _ours() -> bool:
    return isinstance(signal.getsignal(signal.SIGTERM), _RaiseTerminated)


_BLOCKED: list[bool] = []


def _before_fork() -> None:
    # Block SIGTERM across fork: CPython forgets a signal caught between fork and the child's
    # reset, which would leave a pool worker that its pool has just terminated running on.
    blocked = _ours()
    if blocked:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    _BLOCKED.append(blocked)


def _after_fork_in_parent() -> None:
    if _BLOCKED and _BLOCKED.pop():
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})


def _default_in_child() -> None:
    blocked = bool(_BLOCKED) and _BLOCKED.pop()
    _BLOCKED.clear()
    with contextlib.suppress(ValueError, OSError):
        if _ours():
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if blocked:  # a SIGTERM that came meanwhile is still pending: it now ends the child
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})


os.register_at_fork(
    before=_before_fork,
    after_in_parent=_after_fork_in_parent,
    after_in_child=_default_in_child,
)


def interruptible(
    expected: Callable[[dict[str, Any]], Sequence[Path]] | None = None,
) -> Callable[[F], F]:
    """On Ctrl-C (SIGINT) or SIGTERM: say what was written and what not, exit 130 or 143.

    Every report file is written to a temporary name and renamed (``report.files``), so an
    interrupted command leaves whole files or none; the message lists the files completed
    (collected by :func:`dedup.report.files.journal`) and, from ``expected(kwargs)``, the
    main files that were not written.
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            main = threading.current_thread() is threading.main_thread()
            previous = signal.signal(signal.SIGTERM, _RaiseTerminated()) if main else None
            written: list[Path] = []
            try:
                with journal() as written:
                    return func(*args, **kwargs)
            except KeyboardInterrupt as exc:
                name = "SIGTERM" if isinstance(exc, Terminated) else "SIGINT"
                done = list(dict.fromkeys(written))  # a file written twice is listed once
                missing = [p for p in (expected(kwargs) if expected else []) if p not in done]
                click.echo(_interrupted_message(name, done, missing), err=True)
                sys.exit(_EXIT_CODES[name])
            finally:
                if main:
                    signal.signal(signal.SIGTERM, previous)

        return wrapper  # type: ignore[return-value]

    return decorate


def _interrupted_message(name: str, written: Sequence[Path], missing: Sequence[Path]) -> str:
    lines = [f"Interrupted ({name})."]
    if not written:
        lines.append("Nothing was written.")
    else:
        lines.append(f"Written completely ({len(written)} files):")
        lines.extend(f"  {path}" for path in written[:_LISTED])
        if len(written) > _LISTED:
            lines.append(f"  ... and {len(written) - _LISTED} more")
    if missing:
        lines.append("Not written:")
        lines.extend(f"  {path}" for path in missing)
    lines.append(
        "No file was left half-written; files not listed as written are from an earlier run "
        "or absent. Run the command again to write everything."
    )
    return "\n".join(lines)


_SHOWN_PER_REASON = 3


def report_skipped(skipped: Sequence[Skipped], *, listed: str | None = None) -> None:
    """On stderr, one line per distinct reason with its count and the first few places (a
    reason repeated for 5,000 records is one line, not 5,000); ``listed`` names the file
    where every skip is recorded, if any."""
    by_reason: dict[str, list[str]] = {}
    for item in skipped:
        by_reason.setdefault(item.reason, []).append(item.source)
    for reason, sources in by_reason.items():
        if len(sources) == 1:
            click.echo(f"skipped {visible_id(sources[0])}: {visible(reason)}", err=True)
            continue
        shown = ", ".join(visible_id(s) for s in sources[:_SHOWN_PER_REASON])
        more = len(sources) - _SHOWN_PER_REASON
        rest = f"all in {listed}" if listed else f"and {more} more"
        where = f"{shown}, ... ({rest})" if more > 0 else shown
        click.echo(f"skipped {len(sources)} inputs: {visible(reason)} ({where})", err=True)


def read_options(func: F) -> F:
    """The reader flags shared by every command that reads documents."""
    func = click.option(
        "--follow-links",
        is_flag=True,
        help="Follow symbolic links in input folders that lead outside them "
        "(by default they are skipped and reported).",
    )(func)
    func = click.option(
        "--max-chars",
        type=click.IntRange(1),
        default=None,
        help="Cut longer documents to this many characters (each cut is reported).",
    )(func)
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


def build_read_options(
    text_field: str,
    id_field: str,
    max_chars: int | None = None,
    follow_links: bool = False,
    **_: Any,
) -> ReadOptions:
    """ReadOptions from the shared reader flags."""
    return ReadOptions(
        text_field=text_field, id_field=id_field, max_chars=max_chars, follow_links=follow_links
    )


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


def _columns() -> int:
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns
    except (OSError, ValueError):
        return 0


_SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
_WITH_TOTAL = "{desc} {bar} {n_fmt}/{total_fmt}{unit} [{elapsed}<{remaining}, {rate_fmt}]"


@contextmanager
def progress_bar(
    label: str, quiet: bool, *, unit: str = "docs"
) -> Iterator[Callable[[int, int | None], None]]:
    """A progress callback ``(done, total)`` drawn on stderr when it is a terminal.

    With a total it is a bar with the count, the rate and the time left; without one (a
    stream being read) a spinner with the count and the rate. Off with ``--quiet`` or when
    stderr is not a TTY, so logs and pipes stay clean.
    """
    if quiet or not sys.stderr.isatty():
        yield lambda done, total: None
        return
    from tqdm import tqdm  # only where a bar is drawn: keeps `dedupe --help` light

    sized = _columns() > 0  # a pseudo-terminal may report 0 columns: draw 80 then
    bar = tqdm(
        desc=label,
        unit=f" {unit}",
        file=sys.stderr,
        dynamic_ncols=sized,
        ncols=None if sized else 80,
        nrows=None if sized else 24,
        mininterval=0.1,
        leave=True,
        bar_format="{desc} {n_fmt}{unit} [{elapsed}, {rate_fmt}]",
    )
    spin = iter(range(1 << 62))

    def update(done: int, total: int | None) -> None:
        if total is not None and bar.total != total:
            bar.total = total
            bar.bar_format = _WITH_TOTAL
        elif total is None:
            bar.set_description_str(
                f"{_SPINNER[next(spin) % len(_SPINNER)]} {label}", refresh=False
            )
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        if bar.total is None:
            bar.set_description_str(f"✓ {label}", refresh=False)
        bar.close()
