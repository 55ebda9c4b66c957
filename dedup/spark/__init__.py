"""The near-duplicate job on Apache Spark, with the same results as ``dedupe run``.

Needs the ``spark`` extra (``pip install 'dedup[spark]'``); nothing else in ``dedup`` imports
PySpark. From a notebook::

    from dedup.spark import run, write
    result = run(spark, spark.read.parquet("s3://bucket/corpus/"), Options(threshold=0.8))
    write(result, "s3://bucket/dedup/", format="parquet")

Steps: signatures in ``mapInPandas`` (:mod:`.sketches`), LSH bands and candidate pairs from
group-bys, verification on joined shingle sets (:mod:`.pairs`), connected components by
large-star/small-star (:mod:`.components`), representatives and cluster ids (:mod:`.clusters`),
per-cluster alignment and merge in ``applyInPandas`` (:mod:`.alignment`), files (:mod:`.writer`,
:mod:`.html`).
"""

from __future__ import annotations

try:
    import pyspark  # noqa: F401
except ImportError:  # pragma: no cover - depends on the environment
    from ..errors import MissingDependency

    raise MissingDependency("pyspark", "spark") from None

from .alignment import align_cluster, cluster_reports
from .components import connected_components
from .frames import DOCUMENTS, prepare
from .html import write_html
from .job import SparkResult, run
from .reader import read
from .session import local_session
from .writer import summary, write

__all__ = [
    "DOCUMENTS",
    "SparkResult",
    "align_cluster",
    "cluster_reports",
    "connected_components",
    "local_session",
    "prepare",
    "read",
    "run",
    "summary",
    "write",
    "write_html",
]
