"""dedup: near-duplicate detection, paragraph alignment and canonical merge for text corpora.

>>> import dedup
>>> result = dedup.run([("a", "同一篇文章，两个来源。"), ("b", "同一篇文章,两个来源.")])
>>> [c.members for c in result.clusters]
[('a', 'b')]
"""

from __future__ import annotations

from ._version import __version__ as __version__
from .align import Alignment, align
from .document import Document, Paragraph, Skipped, Span
from .errors import ConfigError, DedupError, InputError, MissingDependency, StoreError
from .index import Index, Match
from .io import read_documents
from .merge import Merged, merge_documents
from .options import NormalizeOptions, Options, ReadOptions
from .pipeline import Cluster, Result, run

__all__ = [
    "Alignment",
    "Cluster",
    "ConfigError",
    "DedupError",
    "Document",
    "Index",
    "InputError",
    "Match",
    "Merged",
    "MissingDependency",
    "NormalizeOptions",
    "Options",
    "Paragraph",
    "ReadOptions",
    "Result",
    "Skipped",
    "Span",
    "StoreError",
    "align",
    "merge_documents",
    "read_documents",
    "run",
]
