"""``dedupe spark`` as a script, for ``spark-submit`` (which runs files, not console scripts).

    spark-submit --master yarn "$(python -m dedup.spark --path)" s3a://bucket/corpus/ --out s3a://bucket/dedup/
    python -m dedup.spark corpus/ --out reports-spark/      # the same as `dedupe spark`

Imports are absolute: ``spark-submit`` runs this file as ``__main__``, outside its package.
"""

from __future__ import annotations

import sys

from dedup.cli.spark import spark

if __name__ == "__main__":
    if sys.argv[1:] == ["--path"]:  # where this file is, to hand to spark-submit
        print(__file__)
    else:
        spark(prog_name="dedupe spark")
