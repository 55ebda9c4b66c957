"""OpenCC's traditional-to-simplified conversion (``t2s``), the same output many times faster.

OpenCC cuts a text into the longest keys of its dictionaries, left to right, and replaces each
piece by its first value. Its t2s keys of more than one character are phrases (a few hundred:
``乾燥``, ``藉口``, ...); every other key is a single character. So a character that no
occurrence of a phrase covers is a piece of its own, converted as it would be standing alone:
a table lookup. Only the stretches that phrase occurrences cover (well under 1% of Chinese
text) go to OpenCC, all of a text's stretches in one call. A stretch is converted in
isolation, which is exact: a phrase occurrence lies wholly inside one stretch, and the
character before a stretch ends OpenCC's previous piece.

The phrases are read from the dictionaries that this OpenCC installation's own ``t2s``
configuration names (with ``opencc_dict``, which ships with it), and the single characters are
converted by OpenCC itself, once per process. When that cannot be done (a configuration of
another form, no ``opencc_dict``), :func:`converter` gives OpenCC's own ``convert``, slower and
the same. Tests hold the two equal on every phrase, on phrases run together, on random text and
on the Tang poems.

>>> convert = converter()
>>> convert("臺灣的乾燥天氣，藉口")
'台湾的干燥天气，借口'
"""

from __future__ import annotations

import functools
import json
import logging
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from numba import njit

from .normalize import _codes, _text

__all__ = ["Converter", "FastT2S", "OpenCCT2S", "converter", "runs"]

log = logging.getLogger(__name__)

U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]

_N_CODES = 0x110000
_SEPARATOR = "\n"  # between stretches sent to OpenCC together: no key holds it
_DESCRIPTION = [*range(0x2FF0, 0x3000), 0x31EF]
"""Ideographic description characters: OpenCC reads ``⿰木養`` as one unit whose reach depends
on what follows, so a text holding one goes to OpenCC whole."""


@dataclass(frozen=True, slots=True)
class _Phrases:
    """Phrase keys grouped by first character, for the compiled scan."""

    group: npt.NDArray[np.int32]
    """Per code point: the group of keys starting with it, or -1."""
    group_start: I64
    """Keys of group ``g`` are ``group_start[g]:group_start[g + 1]``."""
    key_start: I64
    """Key ``k`` is ``chars[key_start[k]:key_start[k + 1]]``."""
    chars: U32


def _phrase_table(phrases: Sequence[str]) -> _Phrases:
    keys = sorted(set(phrases))
    group = np.full(_N_CODES, -1, dtype=np.int32)
    firsts: list[int] = []
    group_start: list[int] = []
    for k, key in enumerate(keys):
        if not firsts or firsts[-1] != ord(key[0]):
            firsts.append(ord(key[0]))
            group_start.append(k)
            group[ord(key[0])] = len(firsts) - 1
    group_start.append(len(keys))
    key_start = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum([len(k) for k in keys], out=key_start[1:])
    chars = _codes("".join(keys))
    return _Phrases(group, np.array(group_start, dtype=np.int64), key_start, chars)


class Converter(Protocol):
    """What :func:`converter` gives: OpenCC t2s of a text, or of code points."""

    def __call__(self, text: str) -> str: ...

    def convert_codes(self, codes: U32) -> U32 | None:
        """The converted code points, or None where OpenCC changed the length."""
        ...


class OpenCCT2S:
    """OpenCC's own ``convert`` behind the :class:`Converter` interface (the fallback)."""

    def __init__(self, opencc_convert: Callable[[str], str]) -> None:
        self._opencc = opencc_convert

    def __call__(self, text: str) -> str:
        return self._opencc(text)

    def convert_codes(self, codes: U32) -> U32 | None:
        text = _text(codes)
        new = self._opencc(text)
        return _codes(new) if len(new) == len(text) else None


class FastT2S:
    """``OpenCC("t2s").convert`` as a table lookup plus OpenCC on phrase stretches.

    Built by :func:`converter` from the installed OpenCC; ``phrases`` are its multi-character
    keys, ``singles`` the characters any of its dictionaries may change on their own, and
    ``reserved`` characters (keys of its normalization step) send the whole text to OpenCC.
    """

    def __init__(
        self,
        opencc_convert: Callable[[str], str],
        phrases: Sequence[str],
        singles: Sequence[str],
        reserved: Sequence[str] = (),
    ) -> None:
        self._opencc = opencc_convert
        self._phrases = _phrase_table(phrases)
        self._alone = np.arange(_N_CODES, dtype=np.uint32)
        self._flags = np.zeros(_N_CODES, dtype=np.uint8)
        chars = sorted(set(singles) | {c for p in phrases for c in p})
        converted = opencc_convert(_SEPARATOR.join(chars)).split(_SEPARATOR)
        if len(converted) != len(chars):
            raise ValueError("OpenCC joined characters across line breaks")
        for ch, out in zip(chars, converted, strict=True):
            if len(out) == 1:
                self._alone[ord(ch)] = ord(out)
            else:
                self._flags[ord(ch)] = _ALWAYS  # alone, it is not one character
        self._flags[[ord(c) for c in reserved]] = _RESERVED
        self._flags[_DESCRIPTION] = _RESERVED
        self._packed: U32 | None = None
        self._packed_for: npt.NDArray[np.bool_] | None = None

    def __call__(self, text: str) -> str:
        out = self.convert_codes(_codes(text))
        return self._opencc(text) if out is None else _text(out)

    def convert_documents(
        self, codes: U32, ends: I64, unstable: npt.NDArray[np.bool_]
    ) -> tuple[U32, I64, I64] | None:
        """:meth:`convert_codes` of documents that each end before ``codes[ends[d]]`` (a
        separator), with the documents it changed and those of them left holding an
        ``unstable`` character, found in the same pass; None as :meth:`convert_codes`."""
        if self._packed is None or self._packed_for is not unstable:
            self._packed = _pack(self._alone, self._flags, self._phrases.group, unstable)
            self._packed_for = unstable
        p = self._phrases
        out, covered, changed, left, reserved = _scan_documents(
            codes, ends, self._packed, p.group, p.group_start, p.key_start, p.chars
        )
        if reserved:
            return None
        lo, hi = runs(covered)
        if lo.size:
            if not self._convert_stretches(codes, out, lo, hi):
                return None
            # the flags of the stretches, on what OpenCC made of them
            _flag_stretches(codes, out, ends, lo, hi, unstable, changed, left)
        return out, np.flatnonzero(changed), np.flatnonzero(changed & left)

    def _convert_stretches(self, codes: U32, out: U32, lo: I64, hi: I64) -> bool:
        """OpenCC on the stretches ``codes[lo[k]:hi[k]]``, written into ``out``; False if it
        changed a stretch's length."""
        stretches = [_text(codes[a:b]) for a, b in zip(lo.tolist(), hi.tolist(), strict=True)]
        converted = self._opencc(_SEPARATOR.join(stretches)).split(_SEPARATOR)
        if len(converted) != len(stretches):
            return False
        for a, b, new in zip(lo.tolist(), hi.tolist(), converted, strict=True):
            if len(new) != b - a:
                return False
            out[a:b] = _codes(new)
        return True

    def convert_codes(self, codes: U32) -> U32 | None:
        """The converted code points, or None where this text must go to OpenCC whole (it
        holds a reserved character, or OpenCC changed a stretch's length)."""
        p = self._phrases
        out, covered, reserved = _scan(
            codes, self._alone, self._flags, p.group, p.group_start, p.key_start, p.chars
        )
        if reserved:
            return None
        lo, hi = runs(covered)
        if lo.size and not self._convert_stretches(codes, out, lo, hi):
            return None
        return out


_ALWAYS, _RESERVED = 1, 2  # flags: to OpenCC with its neighbours / the whole text to OpenCC


@njit(cache=True, inline="always")
def _phrase_end(codes: U32, i: int, g: int, group_start: I64, key_start: I64, chars: U32) -> int:
    """Where the longest phrase of group ``g`` (keys sharing ``codes[i]`` as first character)
    that occurs at ``codes[i:]`` ends; ``i`` if none does."""
    end = i
    for k in range(group_start[g], group_start[g + 1]):
        a = key_start[k]
        size = key_start[k + 1] - a
        if i + size > len(codes):
            continue
        j = 1
        while j < size and codes[i + j] == chars[a + j]:
            j += 1
        if j == size:
            end = max(end, i + size)
    return end


@njit(cache=True)
def _scan(
    codes: U32,
    alone: U32,
    flags: npt.NDArray[np.uint8],
    group: npt.NDArray[np.int32],
    group_start: I64,
    key_start: I64,
    chars: U32,
) -> tuple[U32, npt.NDArray[np.bool_], bool]:
    """Each character converted alone; which positions a phrase occurrence (or a character
    flagged always) covers; whether a reserved character occurs."""
    n = len(codes)
    out = np.empty(n, dtype=np.uint32)
    depth = np.zeros(n + 1, dtype=np.int32)
    reserved = False
    for i in range(n):
        c = codes[i]
        out[i] = alone[c]
        f = flags[c]
        if f == _RESERVED:
            reserved = True
        elif f == _ALWAYS:
            depth[i] += 1
            depth[i + 1] -= 1
        g = group[c]
        if g < 0:
            continue
        end = _phrase_end(codes, i, g, group_start, key_start, chars)
        if end > i:
            depth[i] += 1
            depth[end] -= 1
    covered = np.empty(n, dtype=np.bool_)
    level = 0
    for i in range(n):
        level += depth[i]
        covered[i] = level > 0
    return out, covered, reserved


_CODE_BITS = np.uint32(0x1FFFFF)  # packed table: the converted character,
_FLAG_SHIFT = 21  # then the flags (2 bits),
_GROUP_BIT = np.uint32(1 << 23)  # whether a phrase starts with the character,
_UNSTABLE_BIT = np.uint32(1 << 24)  # whether the converted character is unstable
_SPECIAL = np.uint32(1 << 21)  # any of the three: below it, the character is plain


def _pack(
    alone: U32,
    flags: npt.NDArray[np.uint8],
    group: npt.NDArray[np.int32],
    unstable: npt.NDArray[np.bool_],
) -> U32:
    """One word per code point for :func:`_scan_documents`: a load instead of four."""
    packed = alone | (flags.astype(np.uint32) << np.uint32(_FLAG_SHIFT))
    packed[group >= 0] |= _GROUP_BIT
    packed[unstable[alone]] |= _UNSTABLE_BIT
    return packed


@njit(cache=True)
def _scan_documents(
    codes: U32,
    ends: I64,
    packed: U32,
    group: npt.NDArray[np.int32],
    group_start: I64,
    key_start: I64,
    chars: U32,
) -> tuple[U32, npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.bool_], bool]:
    """:func:`_scan` with each document's flags: changed, and holding an unstable character
    after conversion, from the characters outside phrase stretches (see :func:`_flag_stretches`)."""
    n = len(codes)
    out = np.empty(n, dtype=np.uint32)
    covered = np.empty(n, dtype=np.bool_)
    changed = np.zeros(len(ends), dtype=np.bool_)
    left = np.zeros(len(ends), dtype=np.bool_)
    reserved = False
    cover_end = 0
    start = 0
    for d in range(len(ends)):
        stop = min(ends[d] + 1, n)
        doc_changed = False
        doc_left = False
        for i in range(start, stop):
            c = codes[i]
            e = packed[c]
            o = e & _CODE_BITS
            out[i] = o
            if e >= _SPECIAL:
                f = (e >> np.uint32(_FLAG_SHIFT)) & np.uint32(3)
                if f == _RESERVED:
                    reserved = True
                elif f == _ALWAYS:
                    cover_end = max(cover_end, i + 1)
                if e & _GROUP_BIT:
                    end = _phrase_end(codes, i, group[c], group_start, key_start, chars)
                    cover_end = max(cover_end, end)
            inside = i < cover_end
            covered[i] = inside
            if not inside:  # covered characters are OpenCC's: flagged once it has them
                doc_changed |= o != c
                doc_left |= (e & _UNSTABLE_BIT) != 0
        changed[d] = doc_changed
        left[d] = doc_left
        start = stop
    return out, covered, changed, left, reserved


@njit(cache=True)
def _flag_stretches(
    codes: U32,
    out: U32,
    ends: I64,
    lo: I64,
    hi: I64,
    unstable: npt.NDArray[np.bool_],
    changed: npt.NDArray[np.bool_],
    left: npt.NDArray[np.bool_],
) -> None:
    """Add the characters of the stretches ``lo[k]:hi[k]`` to their documents' flags."""
    d = 0
    for k in range(len(lo)):
        for i in range(lo[k], hi[k]):
            while ends[d] < i:
                d += 1
            if out[i] != codes[i]:
                changed[d] = True
            if unstable[out[i]]:
                left[d] = True


@njit(cache=True)
def runs(inside: npt.NDArray[np.bool_]) -> tuple[I64, I64]:
    """Start and end of every run of True in ``inside``."""
    n = len(inside)
    count = 0
    for i in range(n):
        if inside[i] and (i == 0 or not inside[i - 1]):
            count += 1
    lo = np.empty(count, dtype=np.int64)
    hi = np.empty(count, dtype=np.int64)
    k = 0
    for i in range(n):
        if inside[i] and (i == 0 or not inside[i - 1]):
            lo[k] = i
        if inside[i] and (i == n - 1 or not inside[i + 1]):
            hi[k] = i + 1
            k += 1
    return lo, hi


# --- reading the installed OpenCC's dictionaries ------------------------------------------------


def _leaves(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if node.get("type") == "group":
        for child in node.get("dicts", []):
            yield from _leaves(child)
    else:
        yield node


def _keys(entry: dict[str, Any], folder: Path, tool: str | None, work: Path) -> list[str]:
    """The keys of one dictionary of an OpenCC configuration."""
    kind, path = entry.get("type"), folder / str(entry.get("file"))
    if kind == "text":
        text = path.read_text(encoding="utf-8")
    elif kind in ("ocd2", "ocd") and tool is not None:
        out = work / (path.name + ".txt")
        subprocess.run(
            [tool, "-i", str(path), "-o", str(out), "-f", kind, "-t", "text"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        text = out.read_text(encoding="utf-8")
    else:
        raise ValueError(f"cannot read dictionary {path} of type {kind!r}")
    return [line.split("\t", 1)[0] for line in text.splitlines() if line.strip()]


def _opencc_dict_tool(opencc_module: Any) -> str | None:
    bundled = Path(opencc_module.__file__).parent / "clib" / "bin" / "opencc_dict"
    return str(bundled) if bundled.is_file() else shutil.which("opencc_dict")


def _build(opencc_module: Any, config: str = "t2s") -> FastT2S:
    """A :class:`FastT2S` from the dictionaries of OpenCC's ``config``; raises where the
    configuration is not of the one-step form it knows."""
    instance = opencc_module.OpenCC(config)
    path = Path(instance.config)
    settings = json.loads(path.read_text(encoding="utf-8"))
    chain = settings.get("conversion_chain", [])
    if len(chain) != 1:  # a second step could see phrases the first one made
        raise ValueError(f"{path}: {len(chain)} conversion steps, expected 1")
    tool = _opencc_dict_tool(opencc_module)
    with tempfile.TemporaryDirectory(prefix="dedup-opencc-") as tmp:

        def keys_of(node: dict[str, Any]) -> list[str]:
            return [k for leaf in _leaves(node) for k in _keys(leaf, path.parent, tool, Path(tmp))]

        keys = keys_of(chain[0]["dict"])
        if "segmentation" in settings:
            keys += keys_of(settings["segmentation"].get("dict", {}))
        reserved = [k for step in settings.get("normalization", []) for k in keys_of(step["dict"])]
    if not keys:
        raise ValueError(f"{path}: no dictionary keys")
    phrases = [k for k in keys if len(k) > 1]
    singles = [k for k in keys if len(k) == 1]
    return FastT2S(instance.convert, phrases, singles, sorted({c for k in reserved for c in k}))


@functools.cache
def converter() -> Converter:
    """A function equal to ``opencc.OpenCC("t2s").convert``: :class:`FastT2S` where the
    installed OpenCC's dictionaries can be read, else :class:`OpenCCT2S`."""
    import opencc

    try:
        return _build(opencc)
    except (OSError, ValueError, KeyError, TypeError, subprocess.SubprocessError) as error:
        log.warning("fast t2s unavailable (%s); converting with OpenCC alone", error)
        return OpenCCT2S(opencc.OpenCC("t2s").convert)
