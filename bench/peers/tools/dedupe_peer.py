"""dedup's own pipeline, as `dedupe run` runs it, without writing the reports."""

from __future__ import annotations

import time

from _common import arguments, write

from dedup.io import read_documents
from dedup.memory import keep_freed_memory
from dedup.options import Options
from dedup.pipeline import run
from dedup.shutdown import finish


def main() -> None:
    args = arguments(__doc__)
    started = time.perf_counter()
    keep_freed_memory()  # as the dedupe command does for its own process
    options = Options(
        threshold=args.threshold,
        num_perm=args.num_perm,
        cjk_ngram=args.ngram,
        word_ngram=args.ngram,
    )
    result = run(read_documents([args.input]), options, workers=args.workers)
    clusters = [list(c.members) for c in result.clusters]
    write(args.out, clusters, started, timings=result.timings)


if __name__ == "__main__":
    main()
    finish(0)  # as the dedupe command ends: exit handlers, then no interpreter teardown
