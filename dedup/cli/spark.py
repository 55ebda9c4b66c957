"""``dedupe spark``: the ``dedupe run`` job on Apache Spark, locally or under ``spark-submit``."""

from __future__ import annotations

import os
import time
from typing import Any

import click

from ..options import POLICIES
from .common import (
    build_options,
    build_read_options,
    dedup_errors,
    match_options,
    read_options,
    renamed_option,
)
from .output import json_dumps


def _session(
    master: str | None, driver_memory: str, partitions: int | None, conf: dict[str, str]
) -> Any:
    """The session: ``spark-submit``'s when it launched us, else a local one on ``master``."""
    from pyspark.sql import SparkSession

    from ..spark import local_session

    if os.environ.get("PYSPARK_GATEWAY_PORT") and master is None:  # under spark-submit
        spark = SparkSession.builder.getOrCreate()
        if partitions is not None:
            conf = {"spark.sql.shuffle.partitions": str(partitions), **conf}
        for key, value in conf.items():  # runtime (SQL) settings; the rest belong to --conf
            spark.conf.set(key, value)
        return spark
    return local_session(
        master or "local[*]", driver_memory=driver_memory, shuffle_partitions=partitions, conf=conf
    )


def _settings(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, str]:
    settings = {}
    for value in values:
        key, sep, setting = value.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected KEY=VALUE, got {value!r}")
        settings[key.strip()] = setting.strip()
    return settings


@click.command(short_help="Find near-duplicates on Apache Spark, as `run` does.")
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "--out",
    required=True,
    metavar="DIR",
    help="Folder or URI (s3a://, gs://, hdfs://, abfss://) for the reports.",
)
@click.option(
    "--master",
    default=None,
    help="Spark master, e.g. local[4] or yarn [default: spark-submit's, else local[*]].",
)
@click.option(
    "--format",
    "out_format",
    type=click.Choice(["jsonl", "parquet"]),
    default="jsonl",
    show_default=True,
    help="Format of the report partitions.",
)
@match_options
@read_options
@click.option(
    "--partitions",
    type=click.IntRange(1),
    default=None,
    help="spark.sql.shuffle.partitions (about 2-4 per executor core) [default: Spark's].",
)
@click.option(
    "--driver-memory",
    default="4g",
    show_default=True,
    help="Driver memory of a local session (under spark-submit, use its --driver-memory).",
)
@click.option(
    "--conf",
    "conf",
    multiple=True,
    metavar="KEY=VALUE",
    callback=_settings,
    help="A Spark setting, e.g. spark.executor.memory=8g (repeatable).",
)
@click.option(
    "--checkpoint-dir",
    default=None,
    help="Reliable checkpoints here (a shared file system) instead of local ones.",
)
@click.option(
    "--policy",
    type=click.Choice(POLICIES),
    default="representative",
    show_default=True,
    help="Merge policy of merged/ (see `dedupe merge`).",
)
@click.option("--no-alignments", is_flag=True, help="Skip alignments/, diffs/ and merged/.")
@click.option(
    "--html-pages",
    "html_pages",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    metavar="N",
    help="Write html/ pages for the first N clusters (made on the driver).",
)
@renamed_option("--html", "--html-pages", "html_pages", type=click.IntRange(0), metavar="N")
@click.option("--timings", is_flag=True, help="Record timings in summary.json (not byte-stable).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No closing line.")
@dedup_errors()
def spark(
    inputs: tuple[str, ...],
    out: str,
    master: str | None,
    out_format: str,
    partitions: int | None,
    driver_memory: str,
    conf: dict[str, str],
    checkpoint_dir: str | None,
    policy: str,
    no_alignments: bool,
    html_pages: int,
    timings: bool,
    as_json: bool,
    quiet: bool,
    **flags: Any,
) -> None:
    """Find near-duplicates among INPUTS (files or folders; JSONL, Parquet, text, CSV, ...) on
    Spark, with the same clusters as `dedupe run`.

    Writes clusters/, pairs/, deduplicated/, removed/, skipped/, alignments/, diffs/ and
    merged/ as JSONL or Parquet partitions, summary.json and, with --html-pages, html/ into
    --out.

    Needs the spark extra: pip install 'dedup[spark]'.

    \b
    Examples:
      dedupe spark corpus/ --out reports-spark/ --master 'local[*]'
      dedupe spark a.parquet b.parquet --out out/ --format parquet --html-pages 20
      spark-submit --master yarn "$(python -m dedup.spark --path)" \\
          s3a://bucket/corpus/ --out s3a://bucket/dedup/ --partitions 4000
    """
    from ..spark import read, run, write  # raises MissingDependency without pyspark

    options = build_options(**flags)
    read_opts = build_read_options(**flags)
    started = time.perf_counter()
    session = _session(master, driver_memory, partitions, conf)
    if checkpoint_dir:
        session.sparkContext.setCheckpointDir(checkpoint_dir)
    clock = {"session": time.perf_counter() - started}
    result = run(session, read(session, list(inputs), read_opts), options)
    clock.update(result.timings)
    found = write(
        result,
        out,
        format=out_format,
        alignments=not no_alignments,
        policy=policy,
        html=html_pages,
        timings=clock if timings else None,
    )
    if as_json:
        click.echo(json_dumps(found, indent=2))
    elif not quiet:
        docs = found["documents"]
        click.echo(
            f"{docs['read']} documents read, {docs['skipped']} skipped, "
            f"{found['clusters']} clusters, {docs['removed']} duplicates removed -> {out}/"
        )
