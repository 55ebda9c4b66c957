"""Ingest the parts of a run's input on several cores: a process pool with a bounded number
of parts in flight, so memory stays bounded however long the input is.

Each process parses, stores and signs the parts it is given (:func:`dedup.ingest.ingest`),
writing to its own files in ``folder``, and sends back ids, signatures and where things are.

>>> import tempfile
>>> from dedup.document import Document
>>> parts = [[Document("a", "一二三四五六")], [Document("b", "abc def")]]
>>> with tempfile.TemporaryDirectory() as tmp:
...     out = list(ingest_parts(parts, Options(), 1, Path(tmp)))
>>> [o.signatures.shape for o in out]
[(1, 128), (1, 128)]
"""

from __future__ import annotations

import collections
import concurrent.futures
import concurrent.futures.process
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from .ingest import IngestedPart, InputPart, ingest
from .memory import keep_freed_memory
from .options import Options
from .sketch import sketch_batch

__all__ = [
    "SERIAL_PARTS",
    "default_workers",
    "in_order",
    "ingest_parts",
    "refuse_in_bootstrap",
    "start_workers",
]

T = TypeVar("T")
R = TypeVar("R")

SERIAL_PARTS = 4
"""An input of at most this many parts is ingested in this process alone (it never pays for
starting workers); a longer one starts the workers at once, and this process ingests parts
until they are ready."""


def default_workers() -> int:
    """Every core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def ingest_parts(
    parts: Iterable[InputPart], options: Options, workers: int, folder: Path
) -> Iterator[IngestedPart]:
    """:func:`~dedup.ingest.ingest` each part, in order, on ``workers`` processes (in this one
    if 1). At most ``2 * workers`` parts are in flight, so reading never runs far ahead."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if workers > 1:
        refuse_in_bootstrap()
    where = str(folder)
    iterator = iter(parts)
    # The first parts are done here: a small input never pays for starting workers.
    first = list(itertools.islice(iterator, 1 if workers == 1 else SERIAL_PARTS + 1))
    if workers == 1 or len(first) <= SERIAL_PARTS:
        sketch_batch(["預熱 warm up"], options)  # compile and build tables once
        for part in itertools.chain(first, iterator):
            yield ingest(part, options, where)
        return
    # Workers take seconds to start (imports, compiled code, tables): a thread starts them
    # while this process goes on, and parts go to them once they are ready.
    rest = itertools.chain(first, iterator)
    with concurrent.futures.ThreadPoolExecutor(1) as starter:
        starting = starter.submit(start_workers, workers)
        try:
            sketch_batch(["預熱 warm up"], options)
            for part in rest:
                yield ingest(part, options, where)
                if starting.done():
                    break
            else:
                return
            yield from in_order(starting.result(), workers, rest, ingest, options, where)
        finally:
            # Also when the input ended or failed before the workers were ready: wait for
            # them, then stop them. (A pool that failed to start has raised above if needed.)
            if starting.exception() is None:
                starting.result().shutdown(wait=True, cancel_futures=True)


_MAIN_GUARD = (
    "a worker process re-ran the calling script while starting ({}): dedup signs on "
    "several processes, which, like any multiprocessing code, needs the script's work under "
    '`if __name__ == "__main__":` (or pass workers=1)'
)


def refuse_in_bootstrap() -> None:
    """Raise if this process is a worker still importing the caller's main module.

    A worker started from a fork server imports the script that started it; a script whose
    work is not under ``if __name__ == "__main__":`` would run again there.
    """
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        raise RuntimeError(_MAIN_GUARD.format("this is that process"))


def start_workers(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    """``workers`` processes from a fork server that has ``dedup`` imported, started and ready.

    Not forked from this process: forking a process whose other threads (pyarrow's pool, a
    browser driver, a caller's threads) hold locks can leave a worker waiting on a lock forever.
    """
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(["dedup.ingest", "dedup.parallel", "dedup.warmup"])
    pool = concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=context, initializer=keep_freed_memory
    )
    try:
        for ready in [pool.submit(os.getpid) for _ in range(workers)]:
            ready.result()
    except concurrent.futures.process.BrokenProcessPool as error:
        pool.shutdown(wait=False, cancel_futures=True)
        raise RuntimeError(_MAIN_GUARD.format("a worker stopped")) from error
    return pool


def in_order(
    pool: concurrent.futures.ProcessPoolExecutor,
    workers: int,
    batches: Iterable[T],
    function: Callable[..., R],
    *args: object,
) -> Iterator[R]:
    """``function(batch, *args)`` of each batch in ``pool`` (of ``workers`` processes), in
    order, with at most two batches per worker in flight."""
    pending: collections.deque[concurrent.futures.Future[R]] = collections.deque()
    limit = 2 * workers
    try:
        for batch in batches:
            pending.append(pool.submit(function, batch, *args))
            while len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except concurrent.futures.process.BrokenProcessPool as error:
        raise RuntimeError(f"a worker process stopped: {error}") from error
    finally:
        for future in pending:
            future.cancel()
