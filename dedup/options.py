"""Typed, frozen option sets. CLI flags map one to one onto these fields."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from .errors import ConfigError

POLICIES: tuple[str, ...] = ("representative", "majority", "longest")
"""How the canonical merge chooses each row's reading (:mod:`dedup.merge`).

- ``representative``: the representative's reading; in rows it lacks, as ``majority``.
- ``majority``: the reading most members share after normalization; ties go to the
  representative's reading, then to the reading of the earliest member.
- ``longest``: the longest reading after normalization; ties as for ``majority``.
"""


@dataclass(frozen=True)
class NormalizeOptions:
    """How text is normalized for matching and aligning (never for display)."""

    t2s: bool = True
    """Convert traditional Chinese to simplified with OpenCC before matching."""
    fold_punctuation: bool = True
    """Unify punctuation variants that NFKC leaves apart (。/., 、/, quotes, dashes, brackets)."""


@dataclass(frozen=True)
class ReadOptions:
    """How records are read from JSONL, CSV and Parquet inputs."""

    text_field: str = "text"
    id_field: str = "id"
    max_chars: int | None = None
    """Cap on a document's length in characters; longer documents are cut and reported."""
    follow_links: bool = False
    """Follow symbolic links in input folders that lead outside them (to files or folders).

    Off by default: a link in a corpus must not put files from elsewhere (``/etc/shadow``)
    into the reports; each link not followed is reported as skipped. A link given as an
    input itself is always read, and so is a link to a file within the folder."""


@dataclass(frozen=True)
class Options:
    """Everything that decides what counts as a near-duplicate.

    >>> Options(threshold=0.8).num_perm
    128
    """

    threshold: float = 0.6
    """Minimum Jaccard similarity of shingle sets for two documents to be duplicates.

    Chosen by the sweeps of ``make eval`` (README, "Accuracy")."""
    num_perm: int = 128
    """MinHash permutations (signature slots)."""
    cjk_ngram: int = 3
    """Shingle size in characters for Han, kana and hangul runs (measured: README, "Accuracy")."""
    word_ngram: int = 3
    """Shingle size in words for space-delimited scripts."""
    seed: int = 1
    """Seed of the MinHash permutations; signatures made with other seeds never compare."""
    containment: float | None = None
    """Also join a document when at least this share of its shingles lies inside another."""
    normalize: NormalizeOptions = NormalizeOptions()

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(f"threshold must be in (0, 1], got {self.threshold}")
        if self.num_perm < 2:
            raise ConfigError(f"num_perm must be at least 2, got {self.num_perm}")
        if self.cjk_ngram < 1 or self.word_ngram < 1:
            raise ConfigError("n-gram sizes must be at least 1")
        if self.containment is not None and not 0.0 < self.containment <= 1.0:
            raise ConfigError(f"containment must be in (0, 1], got {self.containment}")

    def with_(self, **changes: Any) -> Options:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict of every field (nested options flattened into dicts)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, NormalizeOptions):
                value = {g.name: getattr(value, g.name) for g in fields(value)}
            out[f.name] = value
        return out
