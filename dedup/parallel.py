"""Sign batches of texts on several cores: a process pool with a bounded number of batches in
flight, so memory stays bounded however long the input is.

Each worker writes the shingle hashes of its batches to its own file in ``folder`` (for exact
verification later) and sends back only signatures, token lengths and hash counts.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     out = list(sign_batches([["一二三四五六"], ["abc def"]], Options(), 1, Path(tmp)))
>>> [o.signatures.shape for o in out]
[(1, 128), (1, 128)]
"""

from __future__ import annotations

import collections
import concurrent.futures
import itertools
import multiprocessing
import multiprocessing.pool
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from .options import Options
from .sketch import sketch_batch
from .spill import append_hashes

__all__ = ["SERIAL_BATCHES", "SignedBatch", "default_workers", "sign_batches"]

SERIAL_BATCHES = 4
"""Batches signed in this process before worker processes are started (an input this small
never pays for starting them); this process goes on signing until the workers are ready."""


@dataclass(frozen=True, slots=True)
class SignedBatch:
    """Signatures of one batch, and where its shingle hashes were written."""

    signatures: npt.NDArray[np.uint32]
    lengths: npt.NDArray[np.int64]
    counts: npt.NDArray[np.int64]
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
    offset = append_hashes(path, batch.hashes)
    return SignedBatch(batch.signatures, batch.lengths, batch.counts, path, offset)


def sign_batches(
    batches: Iterable[list[str]], options: Options, workers: int, folder: Path
) -> Iterator[SignedBatch]:
    """Sign each batch of texts, in order, on ``workers`` processes (in this one if 1).

    At most ``2 * workers`` batches are in flight, so reading never runs far ahead.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
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
        starting = starter.submit(_start_pool, workers)
        try:
            for texts in batches:
                yield _sign(texts, options, str(folder))
                if starting.done():
                    break
            else:
                return
            with starting.result() as pool:
                yield from _pooled(pool, batches, options, folder, workers)
        finally:
            # Also when the input ended or failed before the workers were ready: wait for
            # them, then stop them. (A pool that failed to start has raised above if needed.)
            if starting.exception() is None:
                starting.result().terminate()


def _start_pool(workers: int) -> multiprocessing.pool.Pool:
    """A pool of ``workers`` processes from a fork server that has ``dedup`` imported.

    Not forked from this process: forking a process whose other threads (pyarrow's pool, a
    browser driver, a caller's threads) hold locks can leave a worker waiting on a lock forever.
    """
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(["dedup.sketch", "dedup.parallel"])
    return context.Pool(workers)


def _pooled(
    pool: multiprocessing.pool.Pool,
    batches: Iterable[list[str]],
    options: Options,
    folder: Path,
    workers: int,
) -> Iterator[SignedBatch]:
    """Sign ``batches`` in ``pool``, in order, with at most ``2 * workers`` in flight."""
    pending: collections.deque[multiprocessing.pool.AsyncResult[SignedBatch]]
    pending = collections.deque()
    for texts in batches:
        pending.append(pool.apply_async(_sign, (texts, options, str(folder))))
        while len(pending) >= 2 * workers:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()
