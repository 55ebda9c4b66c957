"""Readers: folders of text files, JSON lines, JSON, CSV/TSV and Parquet, plain or gzip/zstd.

Everything goes through :func:`read_documents`, which streams one :class:`Document` per input
document and one :class:`Skipped` per input that cannot be read, and never stops on bad input:
a record with numbers strict JSON cannot write keeps them as strings (see :class:`Document`),
a CSV quote never closed skips its row and reads the lines after it again, a damaged gzip or
zstd file is read up to the damage and the damage reported, and a symbolic link out of an input
folder is reported, not followed (``ReadOptions.follow_links``).
Text bytes are decoded by BOM (UTF-8/16/32), then as UTF-16 without BOM when zero bytes
from ASCII give it away, then strict UTF-8, then GB18030 or Big5, chosen by charset-normalizer
among those two only (unrestricted guesses on short Chinese samples are wrong).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import itertools
import json
import logging
import os
import re
import secrets
import shutil
import stat
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from functools import partial
from typing import IO, Any, Protocol

import numpy as np
import orjson

from .document import Document, Skipped
from .errors import ConfigError, MissingDependency
from .options import ReadOptions

__all__ = [
    "SUPPORTED_SUFFIXES",
    "LineBlock",
    "Reading",
    "cut_message",
    "log_cut",
    "parse_lines",
    "read_documents",
]

logger = logging.getLogger(__name__)

_TEXT_SUFFIXES = (".txt", ".md", ".text")
_RECORD_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".parquet")
SUPPORTED_SUFFIXES = _TEXT_SUFFIXES + _RECORD_SUFFIXES
_COMPRESSIONS = {".gz": "gzip", ".zst": "zstd"}
_SUPPORTED_HINT = f"supported: {', '.join(SUPPORTED_SUFFIXES)}, optionally + .gz/.zst"

_CHUNK = 1 << 16  # bytes read at a time from line-based files
_BLOCK = 1 << 21  # bytes of JSON lines handed on at a time (see LineBlock)
_SNIFF = 1 << 16  # bytes looked at to choose an encoding
_BATCH = 1024  # Parquet rows converted at a time
_STDIN = "<stdin>"

_UNDECODABLE = "cannot decode as UTF-8, UTF-16, GB18030 or Big5"
_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_ASCII_COMPATIBLE = {"utf-8", "gb18030", "big5"}
# Big5 as found in the wild: the strict table first, then its common supersets.
_BIG5_FAMILY = ("big5", "cp950", "big5hkscs")
_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in b"\t\n\r\x0b\x0c\x1b") + b"\x7f"
# What text read as UTF-16 is made of; random code units land here ~60% of the time.
_IMPLAUSIBLE = re.compile(
    "[^\t\n\r\x20-\x7e\u00a0-\u024f\u0370-\u04ff\u2000-\u206f\u3000-\u30ff"
    "\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _Skip(Exception):
    """Internal: this file (or its line ``line``) cannot be read, for ``reason``."""

    def __init__(self, reason: str, line: int | None = None, id: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.line, self.id = reason, line, id


@dataclass
class _Cursor:
    """Where a reader is: the path as given, the id prefix of its records, the current line."""

    path: str
    file_id: str
    line: int = 0
    rereadable: bool = False
    """The stream is the file at ``path`` itself (not stdin, not decompressed): a block of it
    can be read again by offset."""

    def at(self, line: int | None) -> str:
        return self.path if line is None else f"{self.path}:{line}"


_Reader = Callable[[_Readable, _Cursor, ReadOptions], Iterator["Part"]]


@dataclass(frozen=True, slots=True)
class LineBlock:
    """Whole JSON lines of one file, not parsed yet: :func:`parse_lines` makes the documents.

    JSON lines are read in blocks so that parsing can happen elsewhere (in the signing
    processes of a run); a block gives exactly what reading the lines one by one would.
    """

    path: str
    file_id: str
    first_line: int
    """Line number of the block's first line in its file (from 1)."""
    codec: str
    """An ASCII-compatible codec (utf-8, gb18030, big5): lines are cut at ``\\n`` bytes."""
    data: bytes
    options: ReadOptions
    offset: int = -1
    """Where ``data`` starts in the file at ``path``, if it can be read from there again."""
    size: int = 0
    """Bytes to read at ``offset`` when :meth:`by_reference` left ``data`` out (else 0)."""

    def by_reference(self) -> LineBlock:
        """This block without its bytes, to be read again from its file where it is parsed
        (cheaper than sending them to another process); itself if it cannot be."""
        if self.offset < 0 or not self.data:
            return self
        return replace(self, data=b"", size=len(self.data))


Part = Document | Skipped | LineBlock


class Reading(Iterator[Document | Skipped]):
    """The documents of :func:`read_documents`, read as they are iterated.

    :meth:`parts` gives the same input with JSON lines still in unparsed :class:`LineBlock`
    s, for a caller that parses them elsewhere (:func:`parse_lines`); either way is taken
    once.
    """

    def __init__(self, parts: Iterator[Part]) -> None:
        self._parts: Iterator[Part] | None = parts
        self._pending: Iterator[Document | Skipped] = iter(())

    def parts(self) -> Iterator[Part]:
        """The input as documents, skipped inputs and blocks of JSON lines, in order."""
        if self._parts is None:
            raise RuntimeError("the reading has begun already: its parts are gone")
        parts, self._parts = self._parts, None
        return parts

    def __next__(self) -> Document | Skipped:
        while True:
            item = next(self._pending, None)
            if item is not None:
                return item if isinstance(item, Skipped) else log_cut(item)
            if self._parts is None:
                raise StopIteration
            part = next(self._parts, None)
            if part is None:
                self._parts = None
                raise StopIteration
            if isinstance(part, LineBlock):
                self._pending = iter(parse_lines(part))
            else:
                return part if isinstance(part, Skipped) else log_cut(part)


def cut_message(doc: Document) -> str:
    """What is logged of a document the reader cut to ``ReadOptions.max_chars``."""
    return f"{doc.source}: cut from {doc.meta['original_chars']} to {len(doc.text)} characters"


def log_cut(doc: Document) -> Document:
    """Log that ``doc`` was cut to ``ReadOptions.max_chars``, if it was; return it."""
    if doc.meta and "original_chars" in doc.meta:
        logger.warning("%s", cut_message(doc))
    return doc


def read_documents(
    inputs: Sequence[str | os.PathLike[str]],
    options: ReadOptions = ReadOptions(),  # noqa: B008 (frozen, so sharing it is safe)
    *,
    stdin: IO[bytes] | None = None,
    exclude: Sequence[str | os.PathLike[str]] = (),
) -> Reading:
    """Stream the documents in ``inputs`` (folders, files, or ``-`` for JSON lines on stdin).

    Folders are walked recursively in sorted order of relative POSIX path, skipping hidden
    names and the folders in ``exclude`` (e.g. the run's own report folder); each file is
    read by its suffix. Symbolic links in a folder: one to a file in the folder is read; one
    to a folder in it is not followed (its files are read where they are); one that leads out
    of the folder is a :class:`Skipped` unless ``options.follow_links``. Anything unreadable
    (a missing path, a binary file, a record without text, ...) is yielded as
    :class:`Skipped` with ``path`` or ``path:line`` and the reason, and reading goes on.

    >>> [d.id for d in read_documents(["seeds"])][:2]
    ['000_2aaf18023635ef26.txt', '001_412ede9159b6237d.txt']
    """
    if isinstance(inputs, (str, bytes, os.PathLike)):
        raise TypeError("inputs must be a sequence of paths, e.g. read_documents([path])")
    if options.max_chars is not None and options.max_chars < 1:
        raise ConfigError(f"max_chars must be at least 1, got {options.max_chars}")
    return Reading(_parts(inputs, options, stdin, _identities(exclude)))


def _identities(folders: Sequence[str | os.PathLike[str]]) -> frozenset[tuple[int, int]]:
    """(device, inode) of each existing folder: the same folder however its path is spelt."""
    found = set()
    for folder in folders:
        with contextlib.suppress(OSError):
            info = os.stat(folder)
            found.add((info.st_dev, info.st_ino))
    return frozenset(found)


def _parts(
    inputs: Sequence[str | os.PathLike[str]],
    options: ReadOptions,
    stdin: IO[bytes] | None,
    exclude: frozenset[tuple[int, int]] = frozenset(),
) -> Iterator[Part]:
    for item in inputs:
        given = os.fspath(item)
        if given == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            cursor = _Cursor(_STDIN, "stdin")
            yield from _guarded(cursor, _jsonl(stream, cursor, options))
        elif os.path.isdir(given):
            for rel, path, error in _walk(given, exclude, follow_links=options.follow_links):
                if error is not None:
                    yield Skipped(path, error)
                else:
                    yield from _read_file(path, rel, options)
        elif os.path.lexists(given):
            reason = _not_regular(given, fifo_ok=True)
            if reason is not None:
                yield Skipped(given, reason)
            else:
                yield from _read_file(given, os.path.basename(given), options)
        else:
            yield Skipped(given, "no such file or folder")


def _walk(
    root: str, exclude: frozenset[tuple[int, int]] = frozenset(), *, follow_links: bool = False
) -> list[tuple[str, str, str | None]]:
    """``(relative POSIX path, path, error)`` of every visible file under ``root``, sorted,
    leaving out the folders whose (device, inode) is in ``exclude``.

    A symbolic link that leads outside ``root`` is not followed unless ``follow_links``: it is
    listed with the reason (a link to ``/etc/shadow`` in a corpus must not put that file in the
    reports). A link to a file inside ``root`` is read like a file (it is part of the folder
    asked for; it pairs with its target as an exact duplicate). A link to a folder inside
    ``root`` is not followed, with or without ``follow_links``: its files are read where they
    are. A folder reached twice through links (a loop) is walked once.
    """
    found: list[tuple[str, str, str | None]] = []
    inside = _Inside(root)
    walked = {_folder_identity(root)} if follow_links else set()
    pending = [("", root)]
    while pending:
        rel_dir, folder = pending.pop()
        try:  # sorted: which of two links to one folder is followed must not depend on
            with os.scandir(folder) as it:  # the file system's order
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            found.append((rel_dir, folder, f"cannot read folder: {_os_message(exc)}"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if entry.is_dir(follow_symlinks=False):
                if exclude and _identity(entry) in exclude:
                    logger.info("leaving out %s (excluded, e.g. the report folder)", entry.path)
                    continue
                if follow_links:  # a followed link may lead back here: walk each folder once
                    identity = _identity(entry)
                    if identity in walked:
                        continue
                    walked.add(identity)
                pending.append((rel, entry.path))
            elif entry.is_symlink():
                target = os.path.realpath(entry.path)
                folder_link = _is_dir(entry)
                if folder_link and inside(target):
                    logger.info("not following %s: its files are read in %s", entry.path, target)
                elif not follow_links and not inside(target):
                    found.append((rel, entry.path, _outside_reason(target, folder_link, root)))
                elif folder_link:
                    identity = _folder_identity(entry.path)
                    if identity in walked or identity in exclude:
                        logger.info("not following %s: %s is walked already", entry.path, target)
                    else:
                        walked.add(identity)
                        pending.append((rel, entry.path))
                else:
                    found.append((rel, entry.path, _not_regular(entry.path, fifo_ok=False)))
            else:
                found.append((rel, entry.path, _not_regular(entry.path, fifo_ok=False)))
    found.sort(key=lambda f: f[0])
    return found


class _Inside:
    """Whether a resolved path lies inside a folder (compared by their real paths)."""

    def __init__(self, folder: str) -> None:
        self.folder = os.path.realpath(folder)
        self.prefix = os.path.join(self.folder, "")

    def __call__(self, real: str) -> bool:
        return real == self.folder or real.startswith(self.prefix)


def _outside_reason(target: str, folder: bool, root: str) -> str:
    kind = "folder" if folder else "file"
    return (
        f"symbolic link to a {kind} outside the input folder {root} ({target}): not followed; "
        "--follow-links (ReadOptions.follow_links) reads it, or give it as an input"
    )


def _folder_identity(path: str) -> tuple[int, int]:
    """(device, inode) of the folder at ``path``, links followed; unique when it cannot be
    looked at (the walk then says why it cannot be read)."""
    try:
        info = os.stat(path)
    except OSError:
        return (-1, id(path))
    return info.st_dev, info.st_ino


def _identity(entry: os.DirEntry[str]) -> tuple[int, int]:
    info = entry.stat(follow_symlinks=False)
    return info.st_dev, info.st_ino


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """Whether ``entry`` leads to a folder; False when it cannot be followed (a symlink loop
    raises ELOOP here), so that reading it reports why."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _not_regular(path: str, *, fifo_ok: bool) -> str | None:
    """Why ``path`` is not read, when it is a device, socket or (in a folder) a FIFO.

    Reading a FIFO blocks until someone writes to it and a device such as ``/dev/zero`` never
    ends: a folder walk must not hang on either. A FIFO named on the command line is read, as
    asked. Paths that cannot be looked at are left to the reader, which says why.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or (fifo_ok and stat.S_ISFIFO(mode)):
        return None
    kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    return f"not a regular file ({kind})"


def _read_file(path: str, file_id: str, options: ReadOptions) -> Iterator[Part]:
    cursor = _Cursor(path, file_id)
    try:
        suffix, compression = _file_type(path)
    except _Skip as skip:
        yield Skipped(path, skip.reason)
        return
    cursor.rereadable = compression is None and os.path.isfile(path)
    if suffix == ".parquet":
        yield from _guarded(cursor, _parquet(cursor, compression, options))
    else:
        yield from _guarded(cursor, _read_stream(_READERS[suffix], compression, cursor, options))


def _read_stream(
    reader: _Reader, compression: str | None, cursor: _Cursor, options: ReadOptions
) -> Iterator[Part]:
    with _open(cursor.path, compression) as stream:
        yield from reader(stream, cursor, options)


def _guarded(cursor: _Cursor, docs: Iterator[Part]) -> Iterator[Part]:
    """Run one file's reader, turning whatever stops it into a :class:`Skipped`.

    A file that gives nothing at all (blank lines only, a CSV header without rows, an empty
    JSON array) is one :class:`Skipped`, so that every input is accounted for.
    """
    given = 0
    try:
        for item in docs:
            given += 1
            yield item
        if not given:
            yield Skipped(
                cursor.path, "no records in the file (only blank lines, a header or an empty list)"
            )
    except _Skip as skip:
        yield Skipped(cursor.at(skip.line), skip.reason, skip.id)
    except FileNotFoundError:
        yield Skipped(cursor.path, "no such file or folder")
    except _Damaged as exc:
        if cursor.line:  # line-based: every line before the damage was read
            reason = f"{exc}: lines 1-{cursor.line:,} were read, nothing after them"
            yield Skipped(cursor.at(cursor.line + 1), reason)
        else:
            yield Skipped(cursor.path, f"cannot read file: {exc}")
    except (OSError, EOFError, zlib.error) as exc:
        if cursor.line:
            where = cursor.at(cursor.line + 1)
            yield Skipped(where, f"cannot read the rest of the file: {_os_message(exc)}")
        else:
            yield Skipped(cursor.path, f"cannot read file: {_os_message(exc)}")


def _os_message(exc: BaseException) -> str:
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc) or type(exc).__name__


def _file_type(path: str) -> tuple[str, str | None]:
    """``(format suffix, compression)`` from the file name, case-insensitive."""
    name = os.path.basename(path).lower()
    compression = None
    outer = ""
    for outer_suffix, kind in _COMPRESSIONS.items():
        if name.endswith(outer_suffix):
            name, compression, outer = name[: -len(outer_suffix)], kind, outer_suffix
    suffix = os.path.splitext(name)[1]
    if suffix in SUPPORTED_SUFFIXES:
        return suffix, compression
    if not suffix and not outer:
        raise _Skip(f"unsupported file type (no extension; {_SUPPORTED_HINT})")
    raise _Skip(f"unsupported file type '{suffix}{outer}' ({_SUPPORTED_HINT})")


@contextmanager
def _open(path: str, compression: str | None) -> Iterator[_Readable]:
    """The file's bytes, decompressed as a stream."""
    with open(path, "rb") as raw:
        yield raw if compression is None else _decompressing(raw, compression)


def _decompressing(raw: _Readable, compression: str) -> _Readable:
    """``raw`` decompressed as it is read (gzip or zstd), up to any damage (:class:`_Damaged`)."""
    if compression == "gzip":
        return _Gunzip(raw)
    try:
        import zstandard
    except ImportError:
        raise _Skip(str(MissingDependency("zstandard", "zstd"))) from None
    return _Unzstd(raw, zstandard)


class _Damaged(OSError):
    """Compressed data that ends early or is corrupt. ``data``: what a read of the whole
    stream (``read()``) decompressed before the damage, which it could not return."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.data = b""


class _Decompressing:
    """A compressed stream read through its decoder, one member (gzip) or frame (zstd) after
    another, giving every byte decoded before any damage.

    ``gzip.GzipFile`` and zstandard's reader lose what they decoded in the read that meets
    the damage (up to a whole read: 2 MB of JSON lines, thousands of records), and
    zstandard's reader takes a file cut short for a whole one. Here a read returns what was
    decoded, and the next one raises :class:`_Damaged`, saying where (compressed byte) and
    how many bytes came out before; a read of everything (``read()``) raises at once, with
    those bytes in ``data``. Decoding stops there (as ``gzip -dc`` does).
    """

    kind = ""
    _STEP = _CHUNK  # compressed bytes given to the decoder at a time

    def __init__(self, raw: _Readable) -> None:
        self._raw = raw
        self._read = 0  # compressed bytes read from raw
        self._left: bytes | memoryview = b""  # read, not yet given to the decoder
        self._fed = False  # the current member or frame has been given bytes
        self._ended = False  # the current member or frame is complete
        self._done = False
        self._buffer = bytearray()
        self._out = 0  # bytes decoded
        self._start = 0  # where the current member or frame starts
        self._units = 0  # members or frames begun
        self._known = True  # the current one starts as the format does
        self._error: _Damaged | None = None
        self._begin()

    def read(self, size: int = -1, /) -> bytes:
        while (size < 0 or len(self._buffer) < size) and not self._done and not self._error:
            try:
                self._fill()
            except _Damaged as exc:
                self._error = exc
        if self._error is not None and (size < 0 or not self._buffer):
            self._error.data, self._buffer = bytes(self._buffer), bytearray()
            raise self._error
        if size < 0 or size >= len(self._buffer):
            data, self._buffer = bytes(self._buffer), bytearray()
        else:
            data = bytes(self._buffer[:size])
            del self._buffer[:size]
        return data

    def _fill(self) -> None:
        data = self._left
        if not data:
            data = self._raw.read(self._STEP)
            self._read += len(data)
            if not data:
                if self._fed and not self._ended:
                    raise self._damage(self._read, None)
                self._done = True
                return
        if self._ended:  # the next member or frame; gzip allows zero bytes between them
            data = bytes(data).lstrip(b"\0")
            if not data:
                self._left = b""
                return
            self._begin()
        if not self._fed:
            self._fed, self._units = True, self._units + 1
            self._start = self._read - len(data)
            self._known = self._magic(bytes(data[:4]))
        out, self._left = self._step(data, self._read - len(data))
        self._out += len(out)
        self._buffer += out

    def _damage(self, offset: int, detail: str | None, end: int | None = None) -> _Damaged:
        """The damage found at compressed byte ``offset`` (somewhere before ``end``, if given);
        ``detail`` says what is wrong, ``None`` for data that ends early."""
        done = f"{self._out:,} bytes decompressed"
        if detail is None:
            where = f"the file stops at byte {offset:,}, inside the compressed data"
            return _Damaged(f"the {self.kind} data ends early ({where}; {done})")
        if not self._known:
            if self._units == 1:
                return _Damaged(f"not {self.kind} data ({detail})")
            return _Damaged(
                f"the data from byte {self._start:,} on, after the end of the {self.kind} "
                f"data, is not {self.kind} ({detail}; {done} before it)"
            )
        where = f"at byte {offset:,}" if end is None else f"in bytes {offset:,}-{end - 1:,}"
        return _Damaged(f"the {self.kind} data is corrupt {where} ({detail}; {done} before it)")

    def _begin(self) -> None:
        """Start decoding a member (gzip) or frame (zstd)."""
        self._fed = self._ended = False
        self._new()

    def _new(self) -> None:
        """A new decoder, in ``_z``."""
        raise NotImplementedError

    def _magic(self, head: bytes) -> bool:
        """Whether ``head`` (4 bytes, or fewer at the end) begins a member or frame."""
        raise NotImplementedError

    def _step(self, data: bytes | memoryview, offset: int) -> tuple[bytes, bytes | memoryview]:
        """``(decoded bytes, input left for later)`` from ``data``, which starts at compressed
        byte ``offset``; sets ``_ended`` at the end of a member or frame."""
        raise NotImplementedError


class _Gunzip(_Decompressing):
    kind = "gzip"
    _MAX_OUT = 1 << 20  # decoded bytes at a time

    def _new(self) -> None:
        self._z = zlib.decompressobj(zlib.MAX_WBITS | 16)  # a gzip header and trailer

    def _magic(self, head: bytes) -> bool:
        return head.startswith(b"\x1f\x8b")

    def _step(self, data: bytes | memoryview, offset: int) -> tuple[bytes, bytes | memoryview]:
        before = self._z.copy()
        try:
            out = self._z.decompress(data, self._MAX_OUT)
        except zlib.error as exc:
            # Again from the state before, a byte at a time: every byte decoded before the
            # damage is kept, and the place is exact.
            self._z, kept = before, bytearray()
            for i in range(len(data)):
                try:
                    kept += self._z.decompress(data[i : i + 1])
                except zlib.error:
                    self._out += len(kept)
                    self._buffer += kept
                    raise self._damage(offset + i, _zlib_message(exc)) from None
            raise self._damage(offset + len(data), _zlib_message(exc)) from None
        if self._z.eof:
            self._ended = True
            return out, self._z.unused_data
        return out, self._z.unconsumed_tail


def _zlib_message(exc: zlib.error) -> str:
    """zlib's reason without its prefix ("Error -3 while decompressing data: ")."""
    return str(exc).rpartition(": ")[2] or str(exc)


class _Unzstd(_Decompressing):
    kind = "zstd"
    # zstd cannot bound what one call decodes (a few bytes can stand for 128 KB), so input
    # goes in small steps: a step decodes at most about 32 MB. Where the data is corrupt, what
    # the step that meets it decoded is lost (the binding cannot copy a decoder's state).
    _PIECE = 1 << 10

    def __init__(self, raw: _Readable, zstandard: Any) -> None:
        self._zstd = zstandard
        super().__init__(raw)

    def _new(self) -> None:
        self._z = self._zstd.ZstdDecompressor().decompressobj()

    def _magic(self, head: bytes) -> bool:  # a frame, or a skippable frame (5? 2a 4d 18)
        return head == b"\x28\xb5\x2f\xfd" or (head[1:] == b"\x2a\x4d\x18" and head[0] >> 4 == 5)

    def _step(self, data: bytes | memoryview, offset: int) -> tuple[bytes, bytes | memoryview]:
        view = memoryview(data)
        piece = view[: self._PIECE]
        try:
            out = self._z.decompress(piece)
        except self._zstd.ZstdError as exc:
            detail = str(exc).rpartition("error: ")[2] or str(exc)
            raise self._damage(offset, detail, offset + len(piece)) from None
        rest = view[self._PIECE :]
        if self._z.eof:
            self._ended = True
            return out, bytes(self._z.unused_data) + bytes(rest)
        return out, rest


# --- encodings ---------------------------------------------------------------------------


def _detect(sample: bytes, final: bool) -> tuple[str, int]:
    """``(codec, BOM length)`` for bytes starting with ``sample`` (all of them when ``final``).

    Raises :class:`_Skip` for binary or undecodable bytes.
    """
    for bom, codec in _BOMS:
        if sample.startswith(bom):
            return codec, len(bom)
    if b"\x00" in sample:
        codec16 = _utf16_without_bom(sample, final)
        if codec16 is None:
            raise _Skip("binary file (contains NUL bytes)")
        return codec16, 0
    if len(sample.translate(None, _CONTROL_BYTES)) < 0.95 * len(sample):
        raise _Skip("binary file (many control bytes)")
    if _decode(sample, "utf-8", final) is not None or _mostly_utf8(sample):
        return "utf-8", 0
    if not final and b"\n" in sample:  # do not let a cut character spoil the guess
        sample = sample[: sample.rindex(b"\n") + 1]
    from charset_normalizer import from_bytes

    # Chaos threshold 0.5, not 0.2: poems with lacunae (□) read as too "messy" at 0.2, while
    # Latin-1 and random bytes are turned down at either level.
    best = from_bytes(sample, cp_isolation=["gb18030", "big5"], threshold=0.5).best()
    if best is None:
        raise _Skip(_UNDECODABLE)
    return best.encoding, 0


def _mostly_utf8(sample: bytes) -> bool:
    """True when nearly all non-ASCII bytes form valid UTF-8: a UTF-8 file with a few bad bytes.

    GB18030 and Big5 bytes seldom happen to form UTF-8 sequences, so they fail this.
    """
    text = sample.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    good = len(text) - len(text.encode("ascii", "ignore")) - bad
    return good >= 9 * bad


def _utf16_without_bom(sample: bytes, final: bool) -> str | None:
    """``utf-16-le``/``-be`` when ``sample``, which holds zero bytes, is UTF-16 text without BOM.

    ASCII in UTF-16 puts its zero bytes on one side of each code unit, which tells the byte
    order; the decoded text must then be at least 95% letters, digits and punctuation of
    common scripts. UTF-16 without any zero byte (all-CJK text) is not guessed: such bytes
    read as plausible Chinese from 8-bit Latin text too.
    """
    codec = "utf-16-le" if sample[1::2].count(0) >= sample[0::2].count(0) else "utf-16-be"
    decoded = _decode(sample, codec, final)
    if decoded is None or len(decoded[0]) < 8:
        return None
    return codec if len(_IMPLAUSIBLE.findall(decoded[0])) <= 0.05 * len(decoded[0]) else None


def _decode(data: bytes, codec: str, final: bool = True) -> tuple[str, str] | None:
    """``(text, codec used)``, or ``None`` when ``data`` is not valid in ``codec``.

    ``final=False`` allows ``data`` to end inside a character. Big5 falls back on its
    common supersets (cp950, HKSCS).
    """
    for name in _BIG5_FAMILY if codec == "big5" else (codec,):
        try:
            if final:
                return data.decode(name), name
            return codecs.getincrementaldecoder(name)().decode(data, final=False), name
        except UnicodeDecodeError:
            continue
    return None


def _decode_all(data: bytes) -> tuple[str, str]:
    """``(text, encoding label)`` of a whole file's bytes; labels a BOM'd UTF-8 ``utf-8-sig``."""
    codec, bom = _detect(data[:_SNIFF], final=len(data) <= _SNIFF)
    if codec in _ASCII_COMPATIBLE and b"\x00" in data:
        raise _Skip("binary file (contains NUL bytes)")
    decoded = _decode(data[bom:], codec)
    if decoded is None:
        try:
            data[bom:].decode(codec)
        except UnicodeDecodeError as exc:
            where = f"invalid {codec} at byte {exc.start + bom}"
            raise _Skip(f"{_UNDECODABLE} ({where})") from None
        raise _Skip(_UNDECODABLE)
    text, codec = decoded
    return text, ("utf-8-sig" if bom and codec == "utf-8" else codec)


def _read_head(stream: _Readable, size: int) -> bytes:
    """Up to ``size`` bytes of ``stream``; the bytes before damaged data, if it comes sooner
    (reading on raises the damage again)."""
    parts: list[bytes] = []
    have = 0
    while have < size:
        try:
            part = stream.read(size - have)
        except _Damaged:
            if not parts:
                raise
            break
        if not part:
            break
        parts.append(part)
        have += len(part)
    return b"".join(parts)


def _open_codec(stream: _Readable) -> tuple[str, int, bytes]:
    """``(codec, BOM length, head)`` of a line-based file, from its first bytes (``head``)."""
    head = _read_head(stream, _CHUNK)
    if not head:
        raise _Skip("empty file")
    try:
        codec, bom = _detect(head, final=len(head) < _CHUNK)
    except _Skip as skip:
        if skip.reason != _UNDECODABLE:
            raise
        codec, bom = "utf-8", 0  # read what can be read; the other lines are skipped one by one
    return codec, bom, head


def _open_lines(stream: _Readable) -> tuple[str, Iterator[str | None]]:
    """``(codec, lines)`` of a line-based file, each line with its ``\\n``.

    A line that does not decode is ``None``. ASCII-compatible encodings are streamed;
    UTF-16/32 files are decoded whole.
    """
    codec, bom, head = _open_codec(stream)
    if codec in _ASCII_COMPATIBLE:
        return codec, _decoded_lines(_byte_lines(head[bom:], stream), codec)
    return codec, iter(_whole_text_lines(head[bom:], stream, codec))


def _whole_text_lines(head: bytes, stream: _Readable, codec: str) -> list[str]:
    """The lines of ``head`` and the rest of ``stream`` decoded whole (UTF-16/32)."""
    decoded = _decode(head + stream.read(), codec)
    if decoded is None:
        raise _Skip(f"cannot decode as {codec}")
    return _lines(decoded[0])


def _lines(text: str) -> list[str]:
    """The lines of ``text``, each with its ``\\n`` (the last one may have none)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _byte_lines(head: bytes, stream: _Readable) -> Iterator[bytes]:
    """The lines of ``head`` followed by the rest of ``stream``, read in chunks."""
    pending: list[bytes] = []  # a line begun in the chunks before
    chunk = head
    while chunk:
        lines = chunk.split(b"\n")
        if len(lines) > 1:
            pending.append(lines[0])
            pending.append(b"\n")
            yield b"".join(pending)
            for line in itertools.islice(lines, 1, len(lines) - 1):
                yield line + b"\n"
            pending = [lines[-1]]
        else:
            pending.append(chunk)
        chunk = stream.read(_CHUNK)
    if any(pending):
        yield b"".join(pending)


def _decode_line(line: bytes, codec: str) -> str | None:
    try:
        return line.decode(codec)
    except UnicodeDecodeError:
        decoded = _decode(line, codec) if codec == "big5" else None
        return decoded[0] if decoded else None


def _decoded_lines(lines: Iterable[bytes], codec: str) -> Iterator[str | None]:
    for line in lines:
        yield _decode_line(line, codec)


# --- formats -----------------------------------------------------------------------------


def _text(stream: _Readable, cursor: _Cursor, options: ReadOptions) -> Iterator[Document]:
    """A whole text file as one document."""
    data = stream.read()
    if not data:
        raise _Skip("empty file")
    text, encoding = _decode_all(data)
    if not text:
        raise _Skip("empty file")
    if text.isspace():
        raise _Skip("no text (only whitespace)", id=cursor.file_id)
    meta: dict[str, Any] = {"path": cursor.path}
    if encoding != "utf-8":
        meta["encoding"] = encoding
    yield _document(cursor.file_id, text, meta, cursor.path, options)


def _jsonl(stream: _Readable, cursor: _Cursor, options: ReadOptions) -> Iterator[Part]:
    """JSON lines: in :class:`LineBlock` s of whole lines (ASCII-compatible encodings), or
    record by record (UTF-16/32, decoded whole)."""
    codec, bom, head = _open_codec(stream)
    if codec not in _ASCII_COMPATIBLE:
        for number, line in enumerate(_whole_text_lines(head[bom:], stream, codec), 1):
            cursor.line = number
            yield from _json_line(line, codec, cursor, options)
        return
    found = False  # a line that gives a record or a skip: blocks before it are left out
    position = bom
    for data in _whole_lines(head[bom:], stream):
        first = cursor.line + 1
        cursor.line += _count_newlines(data) + (not data.endswith(b"\n"))
        if not found:
            found = not all(_blank(line, codec) for line in data.split(b"\n"))
        if found:
            offset = position if cursor.rereadable else -1
            yield LineBlock(cursor.path, cursor.file_id, first, codec, data, options, offset)
        position += len(data)


def _count_newlines(data: bytes) -> int:
    """``data.count(b"\\n")``, several times faster."""
    return int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) == 0x0A))


def _whole_lines(head: bytes, stream: _Readable) -> Iterator[bytes]:
    """``head`` and the rest of ``stream`` in pieces cut after a ``\\n`` (the last one where
    the stream ends); the pieces (and the reads) grow from :data:`_CHUNK` to about
    :data:`_BLOCK` bytes, so the first documents come early."""
    parts, size, target = [head], len(head), _CHUNK
    while True:
        try:
            chunk = stream.read(target)
        except (OSError, EOFError, zlib.error):
            read = b"".join(parts)  # the whole lines before the damage are kept
            cut = read.rfind(b"\n") + 1
            if cut:
                yield read[:cut]
            raise
        if not chunk:
            rest = b"".join(parts)
            if rest:
                yield rest
            return
        size += len(chunk)
        cut = chunk.rfind(b"\n") + 1 if size >= target else 0
        if not cut:
            parts.append(chunk)
            continue
        parts.append(chunk[:cut])
        yield b"".join(parts)
        parts, size, target = [chunk[cut:]], len(chunk) - cut, min(2 * target, _BLOCK)


def _blank(line: bytes, codec: str) -> bool:
    """Whether a line gives nothing (blank once decoded; an undecodable line gives a skip)."""
    decoded = _decode_line(line, codec)
    return decoded is not None and not decoded.strip()


def _read_again(block: LineBlock) -> bytes:
    """The bytes of a block left out by :meth:`LineBlock.by_reference`, from its file."""
    with open(block.path, "rb") as handle:
        data = os.pread(handle.fileno(), block.size, block.offset)
    if len(data) != block.size:
        raise OSError(f"the file changed while it was read ({block.size} bytes expected)")
    return data


def parse_lines(block: LineBlock) -> list[Document | Skipped]:
    """The documents and skipped records of ``block``'s lines, as reading them one by one."""
    cursor = _Cursor(block.path, block.file_id)
    options, codec = block.options, block.codec
    fast = codec == "utf-8"
    out: list[Document | Skipped] = []
    data = block.data
    if not data and block.size:
        try:
            data = _read_again(block)
        except OSError as exc:
            reason = f"cannot read the rest of the file: {_os_message(exc)}"
            return [Skipped(cursor.at(block.first_line), reason)]
    view = memoryview(data)  # lines are slices of it, not copies
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 0x0A).tolist()
    if not data.endswith(b"\n"):
        ends.append(len(data))
    start = 0
    for number, end in enumerate(ends, block.first_line):
        line = view[start:end]
        start = end + 1
        cursor.line = number
        record = _parse_utf8_json(line) if fast else _NOT_PARSED
        if record is not _NOT_PARSED:
            # orjson refuses lone surrogates: nothing it parsed holds one
            out.append(_record(record, cursor, options, escaped=False))
        else:
            out.extend(_json_line(_decode_line(bytes(line), codec), codec, cursor, options))
    return out


_NOT_PARSED = object()


def _parse_utf8_json(line: bytes | memoryview) -> Any:
    """The record of a UTF-8 JSON line parsed by orjson (several times faster than ``json``,
    and straight from bytes), or ``_NOT_PARSED`` where :func:`_load` is left to decide.

    orjson refuses what ``json`` accepts beyond the standard (NaN, 1e400, lone surrogates) and
    reads integers beyond 64 bits as floats; a refusal, any float in the record, or nesting
    deeper than :data:`_MAX_DEPTH` goes to :func:`_load`, so every record is the one it gives.
    """
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return _NOT_PARSED
    return record if _plain(record, _MAX_DEPTH) else _NOT_PARSED


def _plain(value: Any, room: int) -> bool:
    """Whether a record parsed by orjson (plain dicts, lists and scalars) holds no float and
    nests at most ``room`` levels of arrays and objects."""
    kind = type(value)
    if kind is dict:
        items = value.values()
    elif kind is list:
        items = value
    else:
        return kind is not float
    if not room:
        return False
    for item in items:
        kind = type(item)
        if kind is float or ((kind is dict or kind is list) and not _plain(item, room - 1)):
            return False
    return True


# --- JSON values ---------------------------------------------------------------------------

_MAX_DEPTH = 256
"""Arrays and objects nested deeper than this in a record are not read.

Python's ``json`` stops near its recursion limit (1000) less the depth of its caller's stack,
so a record that parses in one place could fail to be written in another (a report writer
runs deeper); a quarter of that limit leaves every writer room, and no real record comes near.
"""
_TOO_DEEP = f"nested more than {_MAX_DEPTH} levels deep (arrays and objects within each other)"


class _TooDeep(Exception):
    """Internal: a JSON value nests more than :data:`_MAX_DEPTH` levels; it ends at ``end``
    in its text, where known."""

    def __init__(self, end: int = -1) -> None:
        super().__init__(_TOO_DEEP)
        self.end = end


class _Literal(str):
    """A JSON number that strict JSON output cannot hold, kept as its literal in a string:
    ``NaN``, ``Infinity``, ``-Infinity``, a float beyond the double range such as ``1e400``,
    an integer of more digits than Python converts (4300). ``float()`` or ``int()`` of it
    gives back what Python's ``json`` would have read. A subclass so that a text field that
    held such a number is still told apart from a string."""

    __slots__ = ()


_FLOAT_NAMES = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def _finite_float(literal: str) -> float | _Literal:
    value = float(literal)
    return value if value - value == 0 else _Literal(literal)


def _whole_number(literal: str) -> int | _Literal:
    try:
        return int(literal)
    except ValueError:  # more digits than sys.get_int_max_str_digits()
        return _Literal(literal)


_DECODER = json.JSONDecoder(parse_constant=_Literal)
_EXACT_DECODER = json.JSONDecoder(
    parse_constant=_Literal, parse_float=_finite_float, parse_int=_whole_number
)
_INFINITE, _LITERAL = 1, 2  # what _survey finds


def _load(text: str) -> tuple[Any, bool]:
    """``(value, literals)``: the JSON value of ``text``, every number in it one that strict
    JSON can write or else a :class:`_Literal` (``literals`` says whether there is one).
    Raises ``json.JSONDecodeError``, ``RecursionError`` (nested beyond the parser) or
    :class:`_TooDeep`."""
    value, end, literals = _raw_load(text, _skip_space(text, 0))
    end = _skip_space(text, end)
    if end != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return value, literals


def _raw_load(text: str, pos: int) -> tuple[Any, int, bool]:
    """``(value, end, literals)`` of the JSON value at ``pos``, as :func:`_load`.

    Parsed once with C speed; only a value that turns out to hold a float beyond range (its
    literal is needed) or an integer too long to convert is parsed again, number by number.
    """
    exact = False
    try:
        value, end = _DECODER.raw_decode(text, pos)
    except json.JSONDecodeError:
        raise
    except ValueError:  # an integer of more digits than Python converts
        value, end = _EXACT_DECODER.raw_decode(text, pos)
        exact = True
    try:
        found = _survey(value, _MAX_DEPTH)
    except _TooDeep:
        raise _TooDeep(end) from None
    if found & _INFINITE and not exact:
        value, end = _EXACT_DECODER.raw_decode(text, pos)
    return value, end, bool(found) or exact


def _survey(value: Any, room: int) -> int:
    """What a parsed JSON value holds: :data:`_INFINITE` for an infinite float (a literal
    beyond the double range), :data:`_LITERAL` for a :class:`_Literal`; raises
    :class:`_TooDeep` when it nests more than ``room`` levels."""
    kind = type(value)
    if kind is dict:
        items = value.values()
    elif kind is list:
        items = value
        try:  # a list of numbers only (an embedding, say) at C speed
            total = sum(value)
        except (TypeError, OverflowError):
            pass
        else:
            if not room:
                raise _TooDeep
            return _INFINITE if total - total != 0 else 0  # inf or NaN where one is
    elif kind is float:
        return _INFINITE if value - value != 0 else 0
    else:
        return _LITERAL if kind is _Literal else 0
    if not room:
        raise _TooDeep
    found = 0
    for item in items:
        kind = type(item)
        if kind is float:
            if item - item != 0:
                found |= _INFINITE
        elif kind is _Literal:
            found |= _LITERAL
        elif kind is dict or kind is list:
            found |= _survey(item, room - 1)
    return found


def _unmarked(value: Any) -> Any:
    """``value`` with each :class:`_Literal` a plain ``str`` (readers of ``meta`` get
    plain JSON types)."""
    kind = type(value)
    if kind is _Literal:
        return str(value)
    if kind is dict:
        return {k: _unmarked(v) for k, v in value.items()}
    if kind is list:
        return [_unmarked(v) for v in value]
    return value


def _strict(value: Any, room: int = _MAX_DEPTH) -> Any:
    """``value`` (a Parquet row) with each NaN or infinite float as a string of its JSON name
    (``NaN``, ``Infinity``, ``-Infinity``); raises :class:`_TooDeep` when it nests more than
    ``room`` levels."""
    kind = type(value)
    if kind is float:
        return value if value - value == 0 else _FLOAT_NAMES[repr(value)]
    if kind is dict:
        if not room:
            raise _TooDeep
        return {k: _strict(v, room - 1) for k, v in value.items()}
    if kind is list or kind is tuple:
        if not room:
            raise _TooDeep
        return kind(_strict(v, room - 1) for v in value)
    return value


def _json_line(
    line: str | None, codec: str, cursor: _Cursor, options: ReadOptions
) -> Iterator[Document | Skipped]:
    if line is None:
        yield Skipped(cursor.at(cursor.line), f"cannot decode the line as {codec}")
        return
    if not line.strip():
        return
    try:
        record, literals = _load(line)
    except json.JSONDecodeError as exc:
        yield Skipped(cursor.at(cursor.line), f"not valid JSON: {exc.msg} (column {exc.colno})")
        return
    except (RecursionError, _TooDeep):
        yield Skipped(cursor.at(cursor.line), _TOO_DEEP)
        return
    # a lone surrogate can only come from a \u escape: lines without one skip that search
    yield _record(record, cursor, options, escaped="\\u" in line, literals=literals)


def _json(stream: _Readable, cursor: _Cursor, options: ReadOptions) -> Iterator[Document | Skipped]:
    """A ``.json`` file: an array of records, a single record, or JSON lines."""
    data = stream.read()
    if not data:
        raise _Skip("empty file")
    text = _decode_all(data)[0]
    if text.lstrip().startswith("["):
        yield from _json_array(text, cursor, options)
        return
    try:
        single, literals = _load(text)
    except (json.JSONDecodeError, RecursionError, _TooDeep):
        for number, line in enumerate(_lines(text), 1):
            cursor.line = number
            yield from _json_line(line, "utf-8", cursor, options)
        return
    cursor.line = 1
    yield _record(single, cursor, options, literals=literals)


def _json_array(text: str, cursor: _Cursor, options: ReadOptions) -> Iterator[Document | Skipped]:
    """Each element of a JSON array, with the line it starts on."""
    pos = _skip_space(text, 0) + 1  # past the "["
    line = 1 + text.count("\n", 0, pos)
    count = 0
    while True:
        start = _skip_space(text, pos)
        line += text.count("\n", pos, start)
        pos = start
        if count and text.startswith(",", pos):
            start = _skip_space(text, pos + 1)
            line += text.count("\n", pos, start)
            pos = start
        elif text.startswith("]", pos):
            break
        elif count:
            raise _Skip("not valid JSON: expected ',' or ']' in the array", line)
        cursor.line = line
        try:
            record, end, literals = _raw_load(text, pos)
            item = _record(record, cursor, options, literals=literals)
        except _TooDeep as deep:  # parsed, so its end is known: the elements after it are read
            item, end = Skipped(cursor.at(line), _TOO_DEEP), deep.end
        except (json.JSONDecodeError, RecursionError) as exc:
            detail = exc.msg if isinstance(exc, json.JSONDecodeError) else _TOO_DEEP
            raise _Skip(f"not valid JSON: {detail}; the rest was not read", line) from None
        count += 1
        yield item
        line += text.count("\n", pos, end)
        pos = end
    if text[pos + 1 :].strip():
        raise _Skip("not valid JSON: extra data after the array", line)


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\n\r":
        pos += 1
    return pos


def _csv(
    stream: _Readable, cursor: _Cursor, options: ReadOptions, delimiter: str = ","
) -> Iterator[Document | Skipped]:
    """CSV/TSV with a header row; quoted fields may span lines.

    A quote that is never closed would make its field, and so its row, run to the end of the
    file, swallowing every row after it (``csv`` says nothing). That row is skipped with the
    line where the quote opened, and the lines after that one are read again as rows: a
    stray quote is far more common than a field meant to hold the rest of the file, and each
    row read again is a document or a skip of its own, so nothing goes unaccounted for.
    """
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))
    codec, lines = _open_lines(stream)
    header: list[str] | None = None
    feed = _CsvFeed(lines, 0, codec)
    while True:
        reader = csv.reader(feed, delimiter=delimiter)
        start = feed.number + 1
        try:
            for row in reader:
                cursor.line, start = start, feed.number + 1
                raw, feed.raw = feed.raw, []
                if row and row[-1].endswith(feed.open_mark):
                    break  # a quote left open: the field ran into the end mark
                if not row or row == [feed.mark]:
                    continue
                if header is None:
                    header = row
                    _check_columns(header, options, cursor)
                    continue
                if len(row) != len(header):
                    reason = f"row has {len(row)} fields but the header has {len(header)}"
                    yield Skipped(cursor.at(cursor.line), reason)
                    continue
                yield _record(dict(zip(header, row, strict=True)), cursor, options)
            else:
                return
        except csv.Error as exc:
            raise _Skip(f"not valid CSV: {exc}; the rest was not read", start) from None
        except _Damaged:
            cursor.line = start - 1  # the lines before the next row were read
            raise
        field = row[-1][: -len(feed.open_mark)]
        opened = max(cursor.line, feed.number - field.count("\n") + field.endswith("\n"))
        began = "" if opened == cursor.line else f" (in the row that begins on line {cursor.line})"
        if header is None:
            raise _Skip(
                f"not valid CSV: the quote opened on line {opened}{began} in the header is "
                "never closed; the file was not read",
                opened,
            )
        doc_id = None
        if options.id_field in header[: len(row) - 1]:
            doc_id = row[header.index(options.id_field)] or None
        after = feed.number - opened
        again = "1 line" if after == 1 else f"{after:,} lines"
        again = f", and the {again} after it read again as rows" if after else ""
        yield Skipped(
            cursor.at(opened),
            f"not valid CSV: the quote opened on line {opened}{began} is never closed (its "
            f"field would run to the end of the file): the row is skipped{again}",
            doc_id,
        )
        feed = _CsvFeed(iter(raw[opened - cursor.line + 1 :]), opened, codec)


class _CsvFeed:
    """The lines given to a ``csv.reader``, then a line that no file holds, ``"MARK"``: read
    as a row of its own it is ``[MARK]``; a quote left open instead takes it into its field
    (its first quote closes the field, the rest is read on as text), which then ends with
    ``MARK"`` (``open_mark``).

    ``number`` is the last line given; ``raw`` the lines given since it was last emptied (the
    reader is given the lines of one row at a time, so: the lines of the current row).
    """

    def __init__(self, lines: Iterator[str | None], number: int, codec: str) -> None:
        self.lines, self.number, self.codec = lines, number, codec
        self.raw: list[str] = []
        self.mark = f"\ue000end of file {secrets.token_hex(16)}"
        self.open_mark = f'{self.mark}"'

    def __iter__(self) -> Iterator[str]:
        for line in self.lines:
            self.number += 1
            if line is None:
                raise _Skip(
                    f"cannot decode the line as {self.codec}; the rest was not read", self.number
                )
            self.raw.append(line)
            yield line
        yield f'"{self.mark}"'


def _check_columns(columns: Sequence[str], options: ReadOptions, cursor: _Cursor) -> None:
    if options.text_field not in columns:
        raise _Skip(_no_text_field(columns, options), cursor.line or None)
    if len(set(columns)) != len(columns):
        dup = next(c for c in columns if columns.count(c) > 1)
        raise _Skip(f"column {dup!r} appears twice in the header", cursor.line or None)


def _parquet(
    cursor: _Cursor, compression: str | None, options: ReadOptions
) -> Iterator[Document | Skipped]:
    """Parquet, streamed batch by batch; the "line" of a row is its 1-based row number."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise _Skip(str(MissingDependency("pyarrow", "parquet"))) from None
    if compression is None and os.path.getsize(cursor.path) == 0:
        raise _Skip("empty file")
    with ExitStack() as stack:
        source: Any = cursor.path
        if compression is not None:  # Parquet needs random access: spool to a temporary file
            source = stack.enter_context(tempfile.TemporaryFile())
            shutil.copyfileobj(stack.enter_context(_open(cursor.path, compression)), source)
            source.seek(0)
        try:
            parquet = pq.ParquetFile(source)
            schema = parquet.schema_arrow
            _check_columns(schema.names, options, cursor)
            kind = schema.field(options.text_field).type
            if pa.types.is_dictionary(kind):
                kind = kind.value_type
            if not any(
                getattr(pa.types, test, lambda _: False)(kind)
                for test in ("is_string", "is_large_string", "is_string_view")
            ):
                raise _Skip(f"column {options.text_field!r} holds {kind}, not strings")
            walk = any(_arrow_walk(field.type) for field in schema)
            for batch in parquet.iter_batches(batch_size=_BATCH):
                for record in batch.to_pylist():
                    cursor.line += 1
                    yield _arrow_record(record, cursor, options, walk=walk)
        except pa.ArrowException as exc:
            line = cursor.line + 1 if cursor.line else None
            raise _Skip(f"cannot read Parquet: {exc}", line) from None


def _arrow_walk(kind: Any) -> bool:
    """Whether values of an Arrow type may need :func:`_strict` (floats, nested values)."""
    import pyarrow as pa

    return bool(pa.types.is_floating(kind) or pa.types.is_nested(kind))


def _arrow_record(
    record: dict[str, Any], cursor: _Cursor, options: ReadOptions, *, walk: bool = True
) -> Document | Skipped:
    """A Parquet row as :func:`_record`; ``walk``: it may hold NaN or infinite floats (which
    become strings of their JSON names) or nest too deep."""
    if walk:
        try:
            record = _strict(record)
        except _TooDeep:
            return Skipped(cursor.at(cursor.line), _TOO_DEEP)
    return _record(record, cursor, options)


_READERS: dict[str, _Reader] = {
    ".txt": _text,
    ".md": _text,
    ".text": _text,
    ".jsonl": _jsonl,
    ".ndjson": _jsonl,
    ".json": _json,
    ".csv": _csv,
    ".tsv": partial(_csv, delimiter="\t"),
}


# --- records -----------------------------------------------------------------------------


def _record(
    record: Any,
    cursor: _Cursor,
    options: ReadOptions,
    *,
    escaped: bool = True,
    literals: bool = False,
) -> Document | Skipped:
    """One JSON/CSV/Parquet record as a document: text and id fields out, the rest in meta.

    ``escaped=False`` says the record's source held no ``\\u`` escape, so no lone surrogate;
    ``literals`` that it holds :class:`_Literal` s (numbers kept as strings).
    """
    where = cursor.at(cursor.line)
    if not isinstance(record, dict):
        return Skipped(where, f"record is {_kind(record)}, not an object")
    raw_id = record.get(options.id_field)
    doc_id = f"{cursor.file_id}:{cursor.line}" if raw_id in (None, "") else _stringify(raw_id)
    if options.text_field not in record:
        return Skipped(where, _no_text_field(list(record), options), doc_id)
    text = record[options.text_field]
    if not isinstance(text, str) or type(text) is _Literal:
        reason = f"field {options.text_field!r} is {_kind(text)}, not a string"
        return Skipped(where, reason, doc_id)
    if not text or text.isspace():
        return Skipped(where, "no text (only whitespace)", doc_id)
    if escaped and _LONE_SURROGATE.search(text):
        return Skipped(where, "text holds a lone surrogate (a broken \\u escape)", doc_id)
    meta = {k: v for k, v in record.items() if k not in (options.text_field, options.id_field)}
    if literals:
        meta = _unmarked(meta)
    return _document(doc_id, text, meta, where, options)


def _document(
    doc_id: str, text: str, meta: dict[str, Any], source: str, options: ReadOptions
) -> Document:
    if options.max_chars is not None and len(text) > options.max_chars:
        meta["original_chars"] = len(text)
        text = text[: options.max_chars]
    return Document(doc_id, text, meta, source)


def _no_text_field(available: Sequence[str], options: ReadOptions) -> str:
    names = ", ".join(str(name) for name in available[:20])
    if len(available) > 20:
        names += ", ..."
    field = options.text_field
    return f"no field {field!r} (available: {names or 'none'}; is --text-field right?)"


def _kind(value: Any) -> str:
    """How a value reads in a message: 'null', 'a number', 'an array', ..."""
    if value is None:
        return "null"
    if isinstance(value, _Literal):
        return "a number"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "an object"
    return f"of type {type(value).__name__}"


def _stringify(value: Any) -> str:
    """An id as text: strings as they are, anything else as compact JSON (else ``str``)."""
    if isinstance(value, str):
        return str(value)  # a plain str, also of a _Literal
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        return str(value)
