"""dedup: near-duplicate detection, paragraph alignment and canonical merge for text corpora."""

from __future__ import annotations

__version__ = "0.1.0"
