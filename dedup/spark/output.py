"""Where reports go: paths under the output folder, and small files written from the driver."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pyspark.sql import SparkSession

from ..report.files import write_text

__all__ = ["join", "remove", "write_driver_text"]


def join(out: str, *names: str) -> str:
    """``out/names...`` for a local path or a URI alike."""
    return "/".join([out.rstrip("/"), *names])


def write_driver_text(spark: SparkSession, path: str, text: str) -> None:
    """A small file from the driver: atomically on local paths, through Hadoop's file system
    (s3a://, gs://, hdfs://, abfss://, ...) elsewhere."""
    parsed = urlparse(path)
    if parsed.scheme in ("", "file") or len(parsed.scheme) == 1:  # "C:" is a drive, not a scheme
        write_text(Path(parsed.path if parsed.scheme == "file" else path), text)
        return
    jvm: Any = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    target = jvm.org.apache.hadoop.fs.Path(path)
    stream = target.getFileSystem(conf).create(target, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()


def remove(spark: SparkSession, path: str) -> bool:
    """Delete ``path`` (a folder with everything in it) if it exists; whether it did."""
    jvm: Any = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    target = jvm.org.apache.hadoop.fs.Path(path)
    fs = target.getFileSystem(conf)
    return bool(fs.exists(target) and fs.delete(target, True))
