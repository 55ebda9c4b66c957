"""The persistent near-duplicate index, for ingestion pipelines that see one document at a time.

>>> from dedup.index import Index
>>> with Index.open("memory:") as index:
...     index.check_and_add("a", "breaking: the river burst its banks overnight").new
True

Targets: an SQLite file path (the default: one file, nothing to start), ``memory:``, or
``redis://host:port/db`` (needs ``pip install 'dedup[redis]'`` and a running server).
"""

from __future__ import annotations

from .core import Check, Explanation, Index, Match
from .store import IndexNotFound, Record, Store
from .targets import mask_url

__all__ = [
    "Check",
    "Explanation",
    "Index",
    "IndexNotFound",
    "Match",
    "Record",
    "Store",
    "mask_url",
]
