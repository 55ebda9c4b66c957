"""dedup: near-duplicate detection, paragraph alignment and canonical merge for text corpora.

>>> import dedup
>>> result = dedup.run([("a", "同一篇文章，两个来源。"), ("b", "同一篇文章,两个来源.")])
>>> [c.members for c in result.clusters]
[('a', 'b')]
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

from ._version import __version__ as __version__

# Imported now: the subpackage ``dedup.align`` would otherwise take the name of the function.
from .align import Alignment, align

if _typing.TYPE_CHECKING:
    from .document import Document, Paragraph, Skipped, Span
    from .errors import ConfigError, DedupError, InputError, MissingDependency, StoreError
    from .index import Index, Match
    from .io import read_documents
    from .merge import Merged, merge_documents
    from .options import NormalizeOptions, Options, ReadOptions
    from .pipeline import Cluster, Result, run

_HOMES = {
    "Document": "document",
    "Paragraph": "document",
    "Skipped": "document",
    "Span": "document",
    "ConfigError": "errors",
    "DedupError": "errors",
    "InputError": "errors",
    "MissingDependency": "errors",
    "StoreError": "errors",
    "Index": "index",
    "Match": "index",
    "read_documents": "io",
    "Merged": "merge",
    "merge_documents": "merge",
    "NormalizeOptions": "options",
    "Options": "options",
    "ReadOptions": "options",
    "Cluster": "pipeline",
    "Result": "pipeline",
    "run": "pipeline",
}


def __getattr__(name: str) -> _typing.Any:
    """The public names, each imported from its module when first used: a process that needs
    one part (a signing worker, a command) does not pay for importing all of them."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})


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
