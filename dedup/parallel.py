"""Sign batches of texts on several cores: a process pool with a bounded number of batches in
flight, so memory stays bounded however long the input is.

Each worker writes the shingle sets of its batches (sorted, without repeats) to its own file in
``folder`` (for exact verification later) and sends back only signatures, token lengths and
set sizes.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     out = list(sign_batches([["一二三四五六"], ["abc def"]], Options(), 1, Path(tmp)))
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
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from .memory import keep_freed_memory
from .options import Options
from .sketch import sketch_batch
from .spill import append_sets

__all__ = [
    "SERIAL_BATCHES",
    "SignedBatch",
    "default_workers",
    "in_order",
    "refuse_in_bootstrap",
    "sign_batches",
    "start_workers",
]

T = TypeVar("T")
R = TypeVar("R")

SERIAL_BATCHES = 4
"""Batches signed in this process before worker processes are started (an input this small
never pays for starting them); this process goes on signing until the workers are ready."""


@dataclass(frozen=True, slots=True)
class SignedBatch:
    """Signatures of one batch, and where its shingle hashes were written."""

    signatures: npt.NDArray[np.uint32]
    lengths: npt.NDArray[np.int64]
    counts: npt.NDArray[np.int64]
    """Size of each document's shingle set."""
    path: str
    offset: int


def default_workers() -> int:
    """Every core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _sign(texts: list[str], options: Options, folder: str) -> SignedBatch:
    batch = sketch_batch(texts, options)
    path = os.path.join(folder, f"hashes-{os.getpid()}.bin")
    offset, sizes = append_sets(path, batch.hashes, batch.counts)
    return SignedBatch(batch.signatures, batch.lengths, sizes, path, offset)


def sign_batches(
    batches: Iterable[list[str]], options: Options, workers: int, folder: Path
) -> Iterator[SignedBatch]:
    """Sign each batch of texts, in order, on ``workers`` processes (in this one if 1).

    At most ``2 * workers`` batches are in flight, so reading never runs far ahead.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if workers > 1:
        refuse_in_bootstrap()
    sketch_batch(["預熱 warm up"], options)  # compile and build tables once
    iterator = iter(batches)
    # The first batches are signed here: a small input never pays for starting workers.
    for texts in itertools.islice(iterator, 0 if workers == 1 else SERIAL_BATCHES):
        yield _sign(texts, options, str(folder))
    following = next(iterator, None)
    if following is None:
        return
    batches = itertools.chain([following], iterator)
    if workers == 1:
        for texts in batches:
            yield _sign(texts, options, str(folder))
        return
    # Workers take seconds to start (imports, compiled code, tables): a thread starts them
    # while this process signs, and batches go to them once they are ready.
    with concurrent.futures.ThreadPoolExecutor(1) as starter:
        starting = starter.submit(start_workers, workers)
        try:
            for texts in batches:
                yield _sign(texts, options, str(folder))
                if starting.done():
                    break
            else:
                return
            yield from in_order(starting.result(), workers, batches, _sign, options, str(folder))
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
        context.set_forkserver_preload(["dedup.sketch", "dedup.parallel"])
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
