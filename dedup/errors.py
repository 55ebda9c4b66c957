"""Exceptions raised by dedup.

    DedupError                 base: every error the library raises on purpose
    ├── InputError             an input file or record cannot be read as asked
    ├── ConfigError            options that do not fit together, or do not fit an index
    ├── StoreError             a persistent index is missing, corrupt, foreign or unreachable
    └── MissingDependency      an optional extra is not installed

Every message says what was wrong and how to fix it. The CLI turns these into exit code 1
(2 for usage errors) in one place.
"""

from __future__ import annotations


class DedupError(Exception):
    """Base class of every error dedup raises on purpose."""


class InputError(DedupError):
    """An input cannot be read: names the file (and line) and the problem."""


class ConfigError(DedupError):
    """Options are invalid, or do not match the ones an index was built with."""


class StoreError(DedupError):
    """A persistent index store is missing, corrupt, foreign or unreachable."""


class MissingDependency(DedupError):
    """An optional dependency is missing; the message gives the pip command."""

    def __init__(self, module: str, extra: str) -> None:
        super().__init__(
            f"this feature needs the Python package {module!r}: pip install 'dedup[{extra}]'"
        )
        self.module = module
        self.extra = extra
