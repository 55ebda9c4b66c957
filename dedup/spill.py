"""On-disk stores that keep a run's memory independent of the size of the texts.

:class:`DocumentStore` keeps every document read (text, meta, source) in one file and only its
offset in memory, so documents can be read again by number: cluster members for alignment, the
kept ones for ``deduplicated.jsonl``. :class:`HashStore` keeps each document's shingle hashes
(written by the signing workers, one file each) for the exact verification of candidate pairs.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     store = DocumentStore(Path(tmp) / "docs.bin")
...     store.append(Document("a", "一二三", {"k": 1}, "f.jsonl:1"))
...     store[0].text, store[0].meta
0
('一二三', {'k': 1})
"""

from __future__ import annotations

import array
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .document import Document

__all__ = ["DocumentStore", "HashStore"]

_CHUNK = 1 << 20  # bytes buffered before a write


class DocumentStore:
    """Documents appended to one file; read back one at a time or in order.

    Memory: 28 bytes per document (offset and three lengths) plus the id, which callers keep.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._out = open(path, "wb")  # noqa: SIM115 (closed in close())
        self._offsets = array.array("q")
        self._sizes = array.array("i")  # text, meta, source byte lengths, interleaved
        self._pos = 0
        self._buffer: list[bytes] = []
        self._buffered = 0
        self._in: Any = None

    def __len__(self) -> int:
        return len(self._offsets)

    def append(self, doc: Document) -> int:
        """Store ``doc``; return its number."""
        text = doc.text.encode("utf-8", "surrogatepass")
        meta = (
            json.dumps(doc.meta, ensure_ascii=False, default=str).encode("utf-8", "surrogatepass")
            if doc.meta
            else b""
        )
        source = doc.source.encode("utf-8", "surrogatepass")
        self._offsets.append(self._pos)
        self._sizes.extend((len(text), len(meta), len(source)))
        for part in (text, meta, source):
            self._buffer.append(part)
        size = len(text) + len(meta) + len(source)
        self._pos += size
        self._buffered += size
        if self._buffered >= _CHUNK:
            self.flush()
        return len(self._offsets) - 1

    def flush(self) -> None:
        """Write what is buffered."""
        if self._buffer:
            self._out.write(b"".join(self._buffer))
            self._buffer = []
            self._buffered = 0
            self._out.flush()

    def _reader(self) -> Any:
        self.flush()
        if self._in is None:
            self._in = open(self.path, "rb")  # noqa: SIM115 (closed in close())
        return self._in

    def read(self, number: int, doc_id: str) -> Document:
        """Document ``number`` (its id is kept by the caller)."""
        reader = self._reader()
        start = self._offsets[number]
        t, m, s = self._sizes[3 * number : 3 * number + 3]
        data = os.pread(reader.fileno(), t + m + s, start)
        return _decode(doc_id, data, t, m, s)

    def __getitem__(self, number: int) -> Document:
        return self.read(number, "")

    def iterate(self, ids: Iterable[str]) -> Iterator[Document]:
        """Every document in order, read sequentially; ``ids`` gives their ids in order."""
        self.flush()
        with open(self.path, "rb") as handle:
            for number, doc_id in enumerate(ids):
                t, m, s = self._sizes[3 * number : 3 * number + 3]
                yield _decode(doc_id, handle.read(t + m + s), t, m, s)

    def close(self) -> None:
        """Close the files (the file itself is left to its owner)."""
        self.flush()
        self._out.close()
        if self._in is not None:
            self._in.close()
            self._in = None


def _decode(doc_id: str, data: bytes, t: int, m: int, s: int) -> Document:
    text = data[:t].decode("utf-8", "surrogatepass")
    meta = json.loads(data[t : t + m]) if m else {}
    source = data[t + m : t + m + s].decode("utf-8", "surrogatepass")
    return Document(doc_id, text, meta, source)


class HashStore:
    """Where each document's shingle hashes are: file number, offset, count.

    The signing workers write the hashes (:func:`append_hashes`); this keeps 16 bytes per
    document in memory and reads a document's hash set back on demand.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._files: list[str] = []
        self._file_of = array.array("i")
        self._offset = array.array("q")
        self._count = array.array("i")
        self._handles: dict[int, Any] = {}

    def add(self, path: str, offset: int, counts: npt.NDArray[np.int64]) -> None:
        """Record a batch of documents whose hashes lie one after another from ``offset``."""
        if path not in self._files:
            self._files.append(path)
        index = self._files.index(path)
        starts = offset + 4 * np.concatenate([[0], np.cumsum(counts)[:-1]])
        self._file_of.extend([index] * len(counts))
        self._offset.extend(starts.tolist())
        self._count.extend(counts.tolist())

    def __len__(self) -> int:
        return len(self._count)

    def count(self, number: int) -> int:
        """How many hashes (with repeats) document ``number`` has."""
        return self._count[number]

    def hashes(self, number: int) -> npt.NDArray[np.uint32]:
        """The sorted unique shingle hashes of document ``number``."""
        index = self._file_of[number]
        handle = self._handles.get(index)
        if handle is None:
            handle = self._handles[index] = open(self._files[index], "rb")  # noqa: SIM115
        data = os.pread(handle.fileno(), 4 * self._count[number], self._offset[number])
        values = np.sort(np.frombuffer(data, dtype="<u4").astype(np.uint32))
        if values.size < 2:
            return values
        first: npt.NDArray[np.bool_] = np.concatenate([[True], values[1:] != values[:-1]])
        unique: npt.NDArray[np.uint32] = values[first]
        return unique

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()
        self._handles.clear()


def append_hashes(path: str, hashes: npt.NDArray[np.uint32]) -> int:
    """Append ``hashes`` to the file at ``path``; return the offset they start at."""
    with open(path, "ab") as handle:
        offset = handle.tell()
        handle.write(np.ascontiguousarray(hashes, dtype="<u4").tobytes())
    return offset
