"""Read input files into a document frame with Spark, as :func:`dedup.io.read_documents` would.

Files are listed on the driver in ``read_documents``' order: inputs in the order given,
folders recursively in sorted order of relative path; local folders by ``read_documents``' own
walk (symbolic links that leave the folder only with ``ReadOptions.follow_links``, each one
not followed reported), other file systems (``hdfs://``, ``s3a://``, ``gs://``, ``abfss://``)
through Hadoop's. Names starting with ``.`` or ``_`` (Spark's ``_SUCCESS``) are left out.
Each file is read by its suffix:

- JSON lines (``.jsonl``, ``.ndjson``, plain or gzip) with Spark's line reader, split across
  tasks; each line is parsed by the same code as ``read_documents``. Lines must be UTF-8 (a
  line that is not decodes with replacement characters instead of being skipped).
- Parquet with Spark's reader; each row becomes a record as in ``read_documents``.
- Every other format ``read_documents`` knows (text files, ``.json``, CSV/TSV, plain, gzip or
  zstd) whole, one file per task, by ``read_documents``' own readers (so at most 2 GB a file).

A record's ``order`` is its file's position in the listing times 2^40 plus its line (row) in
the file, so sorting by ``order`` gives input order.
"""

from __future__ import annotations

import io as stdio
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import pandas as pd
import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from .. import io as readers
from ..document import Document, Skipped
from ..errors import ConfigError
from ..options import ReadOptions
from ..report.files import dumps
from .frames import DOCUMENTS

__all__ = ["LINE_BITS", "read"]

log = logging.getLogger(__name__)

LINE_BITS = 40
"""``order = file rank << LINE_BITS | line``."""

_LINES = (".jsonl", ".ndjson")
_PARQUET = ".parquet"


@dataclass(frozen=True)
class _File:
    uri: str  # Hadoop's path string, as listed
    path: str  # the path as read_documents would name it (the input joined with the relative path)
    file_id: str  # id prefix of its records: relative path in a folder, else the file name
    suffix: str
    compression: str | None
    size: int


def _hidden(rel: str) -> bool:
    return any(part.startswith((".", "_")) for part in rel.split("/"))


def _list(
    spark: SparkSession,
    inputs: Sequence[str],
    options: ReadOptions = ReadOptions(),  # noqa: B008
) -> list[_File | Skipped]:
    """Every input file in read order, or a :class:`Skipped` for what cannot be read.

    Local folders are walked as ``read_documents`` walks them (Hadoop's listing follows every
    symbolic link, out of the folder and round loops); other file systems by Hadoop.
    """
    jvm: Any = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    found: list[_File | Skipped] = []
    for given in inputs:
        path = jvm.org.apache.hadoop.fs.Path(given)
        fs = path.getFileSystem(conf)
        if not fs.exists(path):
            found.append(Skipped(given, "no such file or folder"))
            continue
        status = fs.getFileStatus(path)
        if not status.isDirectory():
            found.append(
                _file(
                    str(status.getPath().toString()),
                    given,
                    os.path.basename(given),
                    int(status.getLen()),
                )
            )
            continue
        root = str(fs.makeQualified(path).toString()).rstrip("/") + "/"
        if str(fs.getScheme()) == "file":
            local = str(fs.makeQualified(path).toUri().getPath())
            found.extend(_local(given, local, root, options))
            continue
        listed = []
        files = fs.listFiles(path, True)
        while files.hasNext():
            entry = files.next()
            uri = str(entry.getPath().toString())
            rel = uri[len(root) :] if uri.startswith(root) else os.path.basename(uri)
            if not _hidden(rel):
                listed.append((rel, uri, int(entry.getLen())))
        for rel, uri, size in sorted(listed):
            found.append(_file(uri, f"{given.rstrip('/')}/{rel}", rel, size))
    return found


def _local(given: str, folder: str, root: str, options: ReadOptions) -> list[_File | Skipped]:
    """The files of a local folder (``root``: its URI with a final ``/``), by
    ``read_documents``' walk: links out of the folder only with ``options.follow_links``."""
    found: list[_File | Skipped] = []
    for rel, local, error in readers._walk(folder, follow_links=options.follow_links):
        path = f"{given.rstrip('/')}/{rel}"
        if _hidden(rel):
            continue
        if error is not None:
            found.append(Skipped(path, error))
            continue
        try:
            size = os.stat(local).st_size
        except OSError as exc:
            found.append(Skipped(path, f"cannot read file: {readers._os_message(exc)}"))
            continue
        found.append(_file(root + rel, path, rel, size))
    return found


def _file(uri: str, path: str, file_id: str, size: int) -> _File | Skipped:
    try:
        suffix, compression = readers._file_type(path)
    except readers._Skip as skip:
        return Skipped(path, skip.reason)
    if size == 0:
        return Skipped(path, "empty file")
    return _File(uri, path, file_id, suffix, compression, size)


def _find(files: dict[str, list[tuple[int, _File]]], path: str) -> list[tuple[int, _File]]:
    """The listings of a file as Spark names it (raw, or URI-encoded in ``_metadata``)."""
    return files.get(path) or files[unquote(path)]


def _row(order: int, item: Document | Skipped) -> dict[str, Any]:
    if isinstance(item, Skipped):
        return {
            "order": order,
            "id": item.id,
            "text": None,
            "meta": None,
            "source": item.source,
            "reason": item.reason,
        }
    return {
        "order": order,
        "id": item.id,
        "text": item.text,
        "meta": dumps(item.meta) if item.meta else None,
        "source": item.source,
        "reason": None,
    }


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=DOCUMENTS.fieldNames()).astype({"order": "int64"})


def _lines(
    spark: SparkSession, files: dict[str, list[tuple[int, _File]]], options: ReadOptions
) -> DataFrame:
    """JSON lines, line by line; line numbers from each split's first row and row count."""
    lines = (
        spark.read.option("lineSep", "\n")
        .text(list(files))
        .select(
            F.col("_metadata.file_path").alias("file"),
            F.col("_metadata.file_block_start").alias("start"),
            F.monotonically_increasing_id().alias("mid"),
            "value",
        )
    )
    splits: dict[str, list[tuple[int, int, int]]] = {}
    for row in (
        lines.groupBy("file", "start")
        .agg(F.min("mid").alias("first"), F.count("*").alias("n"))
        .collect()
    ):
        splits.setdefault(row["file"], []).append((row["start"], row["first"], row["n"]))
    table = []
    for file, parts in splits.items():
        line = 1
        for start, first, n in sorted(parts):
            table.append((file, start, first, line))
            line += n
    offsets = spark.createDataFrame(
        table or [("", 0, 0, 0)], "file string, start long, first long, line0 long"
    )
    numbered = lines.join(F.broadcast(offsets), ["file", "start"]).select(
        "file", (F.col("line0") + F.col("mid") - F.col("first")).alias("line"), "value"
    )

    def apply(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            rows = []
            for file, line, value in zip(batch["file"], batch["line"], batch["value"], strict=True):
                if line == 1:
                    value = value.removeprefix("\ufeff")
                for rank, info in _find(files, file):
                    cursor = readers._Cursor(info.path, info.file_id, int(line))
                    for item in readers._json_line(value, "utf-8", cursor, options):
                        rows.append(_row(rank << LINE_BITS | int(line), item))
            yield _frame(rows)

    return numbered.mapInPandas(apply, DOCUMENTS)


def _parquet(
    spark: SparkSession, files: dict[str, list[tuple[int, _File]]], options: ReadOptions
) -> DataFrame:
    """Parquet rows; the "line" of a row is its 1-based row number in its file."""
    table = spark.read.parquet(*list(files))
    columns = table.columns
    if options.text_field not in columns:
        raise ConfigError(f"{readers._no_text_field(columns, options)} in the Parquet input")
    framed = table.select(
        F.col("_metadata.file_path").alias("__file"),
        F.col("_metadata.row_index").alias("__row"),
        *[F.col(f"`{c}`") for c in columns],
    )

    def apply(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            rows = []
            for record in batch.to_pylist():
                found = _find(files, record.pop("__file"))
                line = int(record.pop("__row")) + 1
                for rank, info in found:
                    cursor = readers._Cursor(info.path, info.file_id, line)
                    item = readers._arrow_record(dict(record), cursor, options)
                    rows.append(_row(rank << LINE_BITS | line, item))
            yield pa.RecordBatch.from_pandas(_frame(rows), preserve_index=False)

    return framed.mapInArrow(apply, DOCUMENTS)


def _decompressed(content: bytes, compression: str | None) -> Any:
    """The file's bytes, decompressed as they are read, as ``read_documents`` reads them: a
    damaged file gives what comes before the damage, then says where it is."""
    raw = stdio.BytesIO(content)
    return raw if compression is None else readers._decompressing(raw, compression)


def _whole(
    spark: SparkSession, files: dict[str, list[tuple[int, _File]]], options: ReadOptions
) -> DataFrame:
    """Whole files, each read by ``read_documents``' reader for its suffix."""
    raw = spark.read.format("binaryFile").load(list(files)).select("path", "content")

    def apply(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            rows = []
            for path, content in zip(batch["path"], batch["content"], strict=True):
                for rank, info in _find(files, path):
                    rows.extend(_whole_file(rank, info, bytes(content), options))
            yield _frame(rows)

    return raw.mapInPandas(apply, DOCUMENTS)


def _whole_file(
    rank: int, info: _File, content: bytes, options: ReadOptions
) -> list[dict[str, Any]]:
    """The rows of one whole file, read by ``read_documents``' reader for its suffix."""
    cursor = readers._Cursor(info.path, info.file_id)
    items: Iterable[Document | Skipped]
    try:
        stream = _decompressed(content, info.compression)
    except readers._Skip as skip:  # zstandard missing
        items = [Skipped(info.path, skip.reason)]
    else:
        parts = readers._guarded(cursor, readers._READERS[info.suffix](stream, cursor, options))
        items = readers.Reading(parts)  # JSON lines blocks parsed here
    return [_row(rank << LINE_BITS | n, item) for n, item in enumerate(items, 1)]


def read(
    spark: SparkSession,
    inputs: Sequence[str | os.PathLike[str]],
    options: ReadOptions = ReadOptions(),  # noqa: B008 (frozen)
) -> DataFrame:
    """A document frame of every record in ``inputs`` (files or folders, local or URIs).

    What cannot be read is a row with a ``reason``, as :func:`dedup.io.read_documents`
    yields :class:`~dedup.document.Skipped`.

    >>> read(spark, ["s3a://bucket/corpus/"]).count()  # doctest: +SKIP
    """
    if isinstance(inputs, (str, bytes, os.PathLike)):
        raise TypeError("inputs must be a sequence of paths, e.g. read(spark, [path])")
    if options.max_chars is not None and options.max_chars < 1:
        raise ConfigError(f"max_chars must be at least 1, got {options.max_chars}")
    listed = _list(spark, [os.fspath(i) for i in inputs], options)
    skipped = [
        _row(rank << LINE_BITS, item)
        for rank, item in enumerate(listed)
        if isinstance(item, Skipped)
    ]
    Listings = dict[str, list[tuple[int, _File]]]
    groups: dict[str, Listings] = {"lines": {}, "parquet": {}, "whole": {}}
    for rank, item in enumerate(listed):
        if isinstance(item, _File):
            if item.suffix in _LINES and item.compression in (None, "gzip"):
                kind = "lines"  # split across tasks by Spark (gzip: one task a file)
            else:
                kind = "parquet" if item.suffix == _PARQUET else "whole"
            groups[kind].setdefault(item.uri, []).append((rank, item))
    log.info(
        "%d files (%d JSON lines, %d Parquet, %d whole), %d skipped",
        sum(len(g) for g in groups.values()),
        len(groups["lines"]),
        len(groups["parquet"]),
        len(groups["whole"]),
        len(skipped),
    )
    frame = spark.createDataFrame(_frame(skipped), DOCUMENTS)
    for kind, make in (("lines", _lines), ("parquet", _parquet), ("whole", _whole)):
        if groups[kind]:
            frame = frame.unionByName(make(spark, groups[kind], options))
    return frame
