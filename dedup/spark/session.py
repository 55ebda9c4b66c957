"""A SparkSession for local runs and tests, with the settings this job relies on.

On a cluster, ``spark-submit`` (or the notebook) owns the session; :func:`local_session` is for
``dedupe spark --master local[*]`` and the tests.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from pyspark.sql import SparkSession

__all__ = ["ARROW_BATCH", "local_session"]

ARROW_BATCH = 2000
"""Rows per Arrow batch handed to the Python workers."""


def local_session(
    master: str = "local[*]",
    *,
    driver_memory: str = "4g",
    shuffle_partitions: int | None = None,
    app_name: str = "dedup",
    conf: Mapping[str, str] | None = None,
) -> SparkSession:
    """A session on ``master`` whose Python workers run this interpreter.

    Workers start the ``python`` on ``PATH`` unless ``PYSPARK_PYTHON`` says otherwise; pointing
    it at ``sys.executable`` makes them see the same packages (pyarrow, dedup) as the driver.
    Arrow batches are 2,000 rows (Spark's default of 10,000 makes each Python worker hold
    ~10,000 texts and shingle sets at once); ``conf`` sets any other Spark setting.

    >>> spark = local_session("local[2]", shuffle_partitions=4)  # doctest: +SKIP
    """
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.driver.memory", driver_memory)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(ARROW_BATCH))
    )
    if shuffle_partitions is not None:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
