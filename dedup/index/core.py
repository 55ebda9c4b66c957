"""The persistent near-duplicate index: add documents one at a time, ask "have we got this?".

>>> with Index.open("memory:") as index:
...     index.add("a", "the quick brown fox jumps over the lazy dog")
...     [m.id for m in index.query("the quick brown fox jumps over the lazy dog!")]
['a']
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from types import TracebackType
from typing import Any

import numpy as np
import numpy.typing as npt

from .._version import __version__
from ..align import align
from ..cluster import overlap
from ..document import Document
from ..errors import ConfigError, InputError, StoreError
from ..exact import ExactSketch, exact_sketches
from ..options import NormalizeOptions, Options
from ..parallel import in_order, refuse_in_bootstrap, start_workers
from ..signature import SCHEME, estimate_jaccard
from ..sketch import Sketch, sketch_many
from .bands import band_keys, index_lsh_parameters
from .store import (
    FORMAT,
    FORMAT_VERSION,
    IndexNotFound,
    Record,
    Store,
    decode_meta,
    encode_meta,
)
from .targets import open_store

__all__ = ["Check", "Explanation", "Index", "Match"]

log = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]
DocumentLike = Document | tuple[str, str] | tuple[str, str, Mapping[str, Any] | None]
AnySketch = ExactSketch | Sketch

_EXACT_SETS = 2
"""The first format version whose records hold 64-bit shingle sets."""


@dataclass(frozen=True, slots=True)
class Explanation:
    """How a match was measured: the MinHash estimate next to the exact figures.

    ``alignment`` counts the operations of the paragraph alignment of the query (side A) to the
    match (side B) by kind (``equal``, ``variant``, ``edit``, ``insert``, ``delete``...; see
    :mod:`dedup.align`) when the index keeps texts, ``None`` otherwise.
    """

    estimated_similarity: float
    similarity: float
    query_in_match: float
    match_in_query: float
    alignment: dict[str, int] | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """An indexed document near the query.

    ``similarity`` is the exact Jaccard similarity of the two shingle sets; ``containment`` the
    share of the query's shingles found in this document.
    """

    id: str
    similarity: float
    containment: float
    meta: dict[str, Any] | None = None
    explanation: Explanation | None = None


@dataclass(frozen=True, slots=True)
class Check:
    """What :meth:`Index.check_and_add` found: ``new`` (and now indexed), or its ``matches``."""

    new: bool
    matches: list[Match] = field(default_factory=list)


class Index:
    """A persistent near-duplicate index over one store (SQLite file, Redis, or memory).

    Open it with :meth:`open`; close it (or use ``with``) when done. One ``Index`` may be shared
    by several threads; several processes may open the same target at once.
    """

    def __init__(self, store: Store, config: dict[str, Any]) -> None:
        self._store = store
        self._config = config
        self.options = _options_from_dict(config["options"])
        self.bands: int = config["bands"]
        self.rows: int = config["rows"]
        self.keep_text: bool = config["keep_text"]
        self._exact = config["version"] >= _EXACT_SETS
        if not self._exact:
            log.warning(
                "index %s was built by an older dedup and holds 32-bit shingle hashes, which "
                "distinct short documents can share (they then look identical): build a new "
                "index from the documents for exact verdicts",
                store.target,
            )

    # -- opening and closing ------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        target: str | os.PathLike[str],
        options: Options | None = None,
        *,
        create: bool = True,
        keep_text: bool | None = None,
    ) -> Index:
        """Open the index at ``target``, creating it with ``options`` if there is none.

        ``target`` is an SQLite file path, ``memory:`` or ``redis://[:password@]host:port/db``
        (``?prefix=name:`` keeps several indexes in one database). An existing index keeps the
        options it was made with: pass ``options=None`` to use them; passing different ones is
        a :class:`ConfigError`, since signatures made another way do not compare. ``keep_text``
        (default true) stores each original text, which ``explain=True`` aligns against.

        >>> index = Index.open("memory:", Options(threshold=0.8))
        >>> index.options.threshold
        0.8
        """
        store = open_store(target, create=create)
        try:
            config = store.load_config()
            if config is None:
                if not create:
                    raise IndexNotFound(f"no index at {store.target}")
                config = store.init_config(_new_config(options or Options(), keep_text))
            _check_config(config, store.target, options, keep_text)
            return cls(store, config)
        except BaseException:
            store.close()
            raise

    def close(self) -> None:
        """Release the store's connections. Closing twice is harmless."""
        self._store.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Index({self._store.target!r}, backend={self._store.backend!r})"

    @property
    def target(self) -> str:
        """Where the index lives (any password masked)."""
        return self._store.target

    # -- writing ------------------------------------------------------------------------------

    def add(self, id: str, text: str, meta: Mapping[str, Any] | None = None) -> None:
        """Index one document, replacing any document with the same id.

        >>> with Index.open("memory:") as index:
        ...     index.add("a", "some text", {"source": "feed"})
        ...     len(index)
        1
        """
        self._store.put([self._record(id, text, meta, self._sketch(text))])

    def add_many(
        self,
        documents: Iterable[DocumentLike],
        *,
        batch_size: int = 1000,
        workers: int = 1,
        progress: Progress | None = None,
    ) -> int:
        """Index many documents, ``batch_size`` per atomic write; return how many were added.

        Items are :class:`~dedup.document.Document` objects or ``(id, text[, meta])`` tuples.
        If the process dies, every document is either fully indexed or absent. ``workers`` > 1
        normalizes and signs in that many processes while this one writes; batches are written
        in input order either way.

        >>> with Index.open("memory:") as index:
        ...     index.add_many([("a", "first text"), ("b", "second text")])
        2
        """
        if batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
        if workers < 1:
            raise ConfigError(f"workers must be at least 1, got {workers}")
        done = 0
        for batch, sketches in self._sketched(documents, batch_size, workers):
            self._store.put(
                [self._record(i, t, m, sk) for (i, t, m), sk in zip(batch, sketches, strict=True)]
            )
            done += len(batch)
            if progress is not None:
                progress(done, None)
        log.info("added %d documents to %s", done, self._store.target)
        return done

    def _sketched(
        self, documents: Iterable[DocumentLike], batch_size: int, workers: int
    ) -> Iterator[tuple[list[tuple[str, str, Mapping[str, Any] | None]], list[AnySketch]]]:
        """Batches of unpacked documents with their sketches, in input order."""
        batches = _batches(documents, batch_size)
        if workers == 1:
            for batch in batches:
                yield batch, _sketch_texts([t for _, t, _ in batch], self.options, self._exact)
            return
        refuse_in_bootstrap()
        sent: deque[list[tuple[str, str, Mapping[str, Any] | None]]] = deque()

        def texts() -> Iterator[list[str]]:
            for batch in batches:
                sent.append(batch)
                yield [text for _, text, _ in batch]

        pool = start_workers(workers)
        try:
            for sketches in in_order(
                pool, workers, texts(), _sketch_texts, self.options, self._exact
            ):
                yield sent.popleft(), sketches
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def check_and_add(
        self,
        id: str,
        text: str,
        meta: Mapping[str, Any] | None = None,
        *,
        k: int | None = 10,
        explain: bool = False,
    ) -> Check:
        """Add the document unless a near-duplicate is indexed; say which happened, atomically.

        Two workers checking the same new document at once: exactly one is told ``new``, the
        other gets the first one's document among its matches.

        >>> with Index.open("memory:") as index:
        ...     index.check_and_add("a", "the same story, twice").new
        ...     index.check_and_add("b", "the same story, twice").matches[0].id
        True
        'a'
        """
        sk = self._sketch(text)
        record = self._record(id, text, meta, sk)
        seen: dict[str, Any] = {}

        def decide(candidates: Sequence[Record]) -> bool:
            seen["matches"] = self._verify(sk, candidates, None)
            seen["candidates"] = candidates
            return not seen["matches"]

        new = self._store.check_and_put(record, decide)
        matches = seen["matches"][:k] if k is not None else seen["matches"]
        if explain:
            matches = self._explain(text, sk, matches, seen["candidates"])
        return Check(new=new, matches=matches)

    def remove(self, id: str) -> bool:
        """Remove one document; return whether it was indexed."""
        return self._store.remove([str(id)]) == 1

    def remove_many(self, ids: Iterable[str]) -> int:
        """Remove documents in one atomic step; return how many were indexed."""
        return self._store.remove([str(i) for i in ids])

    # -- reading ------------------------------------------------------------------------------

    def query(
        self,
        text: str,
        k: int | None = 10,
        *,
        threshold: float | None = None,
        explain: bool = False,
    ) -> list[Match]:
        """The indexed documents near ``text``, best first (exact similarity, then id).

        ``threshold`` overrides the index's for this query; the LSH bands were chosen for the
        index's threshold, so a lower one finds fewer of the weaker matches. ``k=None`` returns
        every match.

        >>> with Index.open("memory:") as index:
        ...     index.add("a", "one two three four five six")
        ...     index.query("one two three four five six seven")[0].similarity
        0.8
        """
        if threshold is not None and not 0.0 < threshold <= 1.0:
            raise ConfigError(f"threshold must be in (0, 1], got {threshold}")
        sk = self._sketch(text)
        with_text = explain and self.keep_text
        candidates = self._store.candidates(self._keys(sk), with_text=with_text)
        matches = self._verify(sk, candidates, threshold)
        matches = matches[:k] if k is not None else matches
        if explain:
            matches = self._explain(text, sk, matches, candidates)
        return matches

    def __len__(self) -> int:
        return self._store.count()

    def __contains__(self, id: object) -> bool:
        return isinstance(id, str) and self._store.get(id) is not None

    def stats(self) -> dict[str, Any]:
        """What the index holds and how it was made, JSON-ready."""
        return {
            "backend": self._store.backend,
            "target": self._store.target,
            "documents": len(self),
            "options": self.options.to_dict(),
            "scheme": self._config["scheme"],
            "bands": self.bands,
            "rows": self.rows,
            "keep_text": self.keep_text,
            "created_by": self._config.get("created_by"),
            **self._store.info(),
        }

    def verify(self) -> list[str]:
        """Check the store's consistency (every document with all its band keys, no stray
        keys); return the problems found. Reads the whole index."""
        return self._store.verify()

    # -- internals ----------------------------------------------------------------------------

    def _sketch(self, text: str) -> AnySketch:
        return _sketch_texts([text], self.options, self._exact)[0]

    def _keys(self, sk: AnySketch) -> tuple[int, ...]:
        return band_keys(sk.signature, self.bands, self.rows)

    def _record(
        self, doc_id: str, text: str, meta: Mapping[str, Any] | None, sk: AnySketch
    ) -> Record:
        return Record(
            id=str(doc_id),
            keys=self._keys(sk),
            signature=sk.signature,
            shingles=_as_words(sk.shingles) if self._exact else sk.shingles,
            length=sk.length,
            meta=decode_meta(encode_meta(dict(meta))) if meta else None,  # as JSON stores it
            text=text if self.keep_text else None,
        )

    def _shingles(self, record: Record) -> np.ndarray:
        """The shingle set of a stored record, comparable with this index's sketches'."""
        return _from_words(record.shingles) if self._exact else record.shingles

    def _verify(
        self, sk: AnySketch, candidates: Sequence[Record], threshold: float | None
    ) -> list[Match]:
        threshold = self.options.threshold if threshold is None else threshold
        containment = self.options.containment
        matches = []
        for record in candidates:
            jaccard, q_in_m, m_in_q = overlap(sk.shingles, self._shingles(record))
            if jaccard >= threshold or (
                containment is not None and max(q_in_m, m_in_q) >= containment
            ):
                matches.append(Match(record.id, jaccard, q_in_m, record.meta))
        matches.sort(key=lambda m: (-m.similarity, m.id))
        return matches

    def _explain(
        self, text: str, sk: AnySketch, matches: list[Match], candidates: Sequence[Record]
    ) -> list[Match]:
        by_id = {r.id: r for r in candidates}
        explained = []
        for m in matches:
            record = by_id[m.id]
            jaccard, q_in_m, m_in_q = overlap(sk.shingles, self._shingles(record))
            explanation = Explanation(
                estimated_similarity=estimate_jaccard(sk.signature, record.signature),
                similarity=jaccard,
                query_in_match=q_in_m,
                match_in_query=m_in_q,
                alignment=None
                if record.text is None
                else align(text, record.text, self.options.normalize).counts,
            )
            explained.append(
                Match(m.id, m.similarity, m.containment, m.meta, explanation=explanation)
            )
        return explained


def _batches(
    documents: Iterable[DocumentLike], size: int
) -> Iterator[list[tuple[str, str, Mapping[str, Any] | None]]]:
    batch = []
    for item in documents:
        batch.append(_unpack(item))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _sketch_texts(texts: list[str], options: Options, exact: bool = True) -> list[AnySketch]:
    """Sketch a batch of texts together (in a worker process with ``add_many(workers=...)``):
    with exact (64-bit) shingle sets, or with the 32-bit ones of a version 1 index."""
    for text in texts:
        if not isinstance(text, str):
            raise InputError(f"text must be a str, got {type(text).__name__}")
    if exact:
        return list(exact_sketches(texts, options))
    return list(sketch_many(texts, options))


def _as_words(shingles: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint32]:
    """A 64-bit shingle set as little-endian 32-bit words, as :class:`Record` carries it (the
    stores keep shingle sets as arrays of 32-bit words)."""
    return np.ascontiguousarray(shingles, dtype="<u8").view("<u4").astype(np.uint32, copy=False)


def _from_words(words: np.ndarray) -> npt.NDArray[np.uint64]:
    """The 64-bit shingle set back from :func:`_as_words`."""
    data = np.ascontiguousarray(words, dtype="<u4")
    if data.size % 2:
        raise StoreError(
            "a stored shingle set has an odd number of 32-bit words: the index is damaged "
            "or was written by another program; build it again"
        )
    return data.view("<u8").astype(np.uint64, copy=False)


def _unpack(item: DocumentLike) -> tuple[str, str, Mapping[str, Any] | None]:
    if isinstance(item, Document):
        return item.id, item.text, item.meta
    if isinstance(item, tuple) and len(item) in (2, 3):
        return str(item[0]), item[1], item[2] if len(item) == 3 else None
    raise InputError(
        f"add_many takes Document objects or (id, text[, meta]) tuples, got {type(item).__name__}"
    )


def _new_config(options: Options, keep_text: bool | None) -> dict[str, Any]:
    bands, rows = index_lsh_parameters(options.threshold, options.num_perm)
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "options": options.to_dict(),
        "scheme": SCHEME,
        "bands": bands,
        "rows": rows,
        "keep_text": True if keep_text is None else keep_text,
        "created_by": f"dedup {__version__}",
    }


def _options_from_dict(data: Mapping[str, Any]) -> Options:
    values = dict(data)
    values["normalize"] = NormalizeOptions(**values.get("normalize", {}))
    return Options(**values)


def _check_config(
    config: dict[str, Any], target: str, options: Options | None, keep_text: bool | None
) -> None:
    """Refuse an index made by a newer format, another scheme, or other options."""
    version = config.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise StoreError(
            f"index {target} has format version {version}; this dedup reads up to "
            f"{FORMAT_VERSION}: upgrade dedup"
        )
    missing = {"options", "scheme", "bands", "rows", "keep_text"} - config.keys()
    if missing:
        raise StoreError(f"index {target} has an incomplete configuration (no {sorted(missing)})")
    try:
        stored = _options_from_dict(config["options"])
    except (KeyError, TypeError, ConfigError) as exc:
        raise StoreError(f"index {target} has unreadable options ({exc})") from exc
    if config.get("scheme") != SCHEME:
        raise ConfigError(
            f"index {target} holds {config.get('scheme')!r} signatures; this dedup makes "
            f"{SCHEME!r} ones, which do not compare: rebuild the index"
        )
    if options is not None and options != stored:
        diffs = _differences(stored, options)
        raise ConfigError(
            f"index {target} was built with other options ({diffs}); signatures made "
            "differently never compare. Open it without options to use its own, or build a "
            "new index"
        )
    if keep_text is not None and keep_text != config.get("keep_text"):
        raise ConfigError(
            f"index {target} was built with keep_text={config.get('keep_text')}; open it "
            "without keep_text, or build a new index"
        )


def _differences(stored: Options, given: Options) -> str:
    parts = []
    for f in fields(Options):
        a, b = getattr(stored, f.name), getattr(given, f.name)
        if isinstance(a, NormalizeOptions):
            for g in fields(NormalizeOptions):
                x, y = getattr(a, g.name), getattr(b, g.name)
                if x != y:
                    parts.append(f"normalize.{g.name}: index {x!r}, given {y!r}")
        elif a != b:
            parts.append(f"{f.name}: index {a!r}, given {b!r}")
    return "; ".join(parts)
