"""Truth labels: groups of document ids that are duplicates of each other.

Read from a JSON file (``{"groups": [[id, ...], ...]}`` or a bare list of groups), a JSON lines
file (one group a line: a list of ids, or an object with a ``group`` list and any notes beside
it), either optionally gzipped, or from a field of the input records (documents with one value
are one group). Groups that share an id are merged. A group of one id is a labelled singleton:
it matters only when scoring is restricted to labelled documents.

>>> merge_groups([["a", "b"], ["c"], ["b", "d"]])
[['a', 'b', 'd'], ['c']]
"""

from __future__ import annotations

import gzip
import json
import logging
import os
from collections.abc import Iterable, Sequence
from typing import Any

from ..cluster import UnionFind
from ..document import Document
from ..errors import InputError

__all__ = ["labels_from_field", "merge_groups", "read_labels"]

log = logging.getLogger(__name__)

_FORMAT_HINT = (
    'expected JSON {"groups": [["id1", "id2"], ...]}, a JSON list of groups, or JSON lines '
    'with one group a line (["id1", "id2"] or {"group": ["id1", "id2"]})'
)


def _id(value: Any, where: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return json.dumps(value)
    raise InputError(f"{where}: an id must be a string or a number, got {value!r}")


def _group(value: Any, where: str) -> list[str]:
    if isinstance(value, dict):
        if "group" not in value:
            keys = ", ".join(sorted(map(str, value))) or "none"
            raise InputError(
                f"{where}: object without a 'group' list (keys: {keys}); {_FORMAT_HINT}"
            )
        value = value["group"]
    if not isinstance(value, list):
        raise InputError(f"{where}: a group must be a list of ids; {_FORMAT_HINT}")
    return [_id(v, where) for v in value]


def merge_groups(groups: Iterable[Sequence[str]]) -> list[list[str]]:
    """Groups sharing an id joined into one; ids sorted in each group, groups by first id."""
    index: dict[str, int] = {}
    members: list[str] = []
    edges: list[tuple[int, int]] = []
    for group in groups:
        nodes = []
        for doc_id in group:
            if doc_id not in index:
                index[doc_id] = len(members)
                members.append(doc_id)
            nodes.append(index[doc_id])
        edges.extend((nodes[0], n) for n in nodes[1:])
    uf = UnionFind(len(members))
    for x, y in edges:
        uf.union(x, y)
    merged: dict[int, list[str]] = {}
    for n, doc_id in enumerate(members):
        merged.setdefault(uf.find(n), []).append(doc_id)
    return sorted((sorted(g) for g in merged.values()), key=lambda g: g[0])


def _open_text(path: str) -> str:
    try:
        if path.endswith(".gz"):
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                return handle.read()
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        raise InputError(f"{path}: no such labels file") from None
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise InputError(f"{path}: cannot read labels ({exc})") from None


def read_labels(path: str | os.PathLike[str]) -> list[list[str]]:
    """The truth groups in a JSON or JSON lines file, merged where they share ids.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "truth.jsonl"
    >>> _ = f.write_text('["a", "b"]\\n{"group": ["c", "d"], "note": "checked"}\\n')
    >>> read_labels(f)
    [['a', 'b'], ['c', 'd']]
    """
    name = os.fspath(path)
    text = _open_text(name)
    stem = name[:-3] if name.endswith(".gz") else name
    raw: list[list[str]] = []
    if stem.endswith((".jsonl", ".ndjson")):
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            where = f"{name}:{number}"
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{where}: not JSON ({exc.msg}); {_FORMAT_HINT}") from None
            raw.append(_group(value, where))
    else:
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            hint = " (a JSON lines file should end in .jsonl)" if "Extra data" in exc.msg else ""
            raise InputError(f"{name}: not JSON ({exc.msg}){hint}; {_FORMAT_HINT}") from None
        if isinstance(value, dict):
            if "groups" not in value:
                raise InputError(f"{name}: no 'groups' key; {_FORMAT_HINT}")
            value = value["groups"]
        if not isinstance(value, list):
            raise InputError(f"{name}: {_FORMAT_HINT}")
        raw = [_group(g, f"{name}: group {n}") for n, g in enumerate(value, 1)]
    groups = merge_groups(raw)
    if len(groups) < len(raw):
        log.info("%s: %d groups merged into %d where they share ids", name, len(raw), len(groups))
    return groups


def labels_from_field(documents: Iterable[Document], field: str) -> list[list[str]]:
    """Groups of documents whose ``meta[field]`` is equal; a missing, null or empty value is
    a singleton. Values are compared as JSON, so ``1`` and ``"1"`` differ.

    >>> docs = [Document("a", "x", {"g": 1}), Document("b", "y", {"g": 1}), Document("c", "z")]
    >>> labels_from_field(docs, "g")
    [['a', 'b'], ['c']]
    """
    by_value: dict[str, list[str]] = {}
    singletons: list[list[str]] = []
    seen_field = False
    count = 0
    for doc in documents:
        count += 1
        value = doc.meta.get(field)
        if value is None or value == "":
            singletons.append([doc.id])
            continue
        seen_field = True
        key = json.dumps(value, ensure_ascii=False, sort_keys=True)
        by_value.setdefault(key, []).append(doc.id)
    if count and not seen_field:
        raise InputError(
            f"no document has a value in field {field!r}; is --truth-field right? "
            "(the text and id fields cannot be used)"
        )
    return merge_groups([*by_value.values(), *singletons])
