"""From an index target (a path, ``memory:`` or a Redis URL) to its store; URLs made safe to show.

>>> mask_url("redis://:s3cret@127.0.0.1:6379/0")
'redis://:***@127.0.0.1:6379/0'
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

from .store import IndexNotFound, Store

__all__ = ["mask_url", "open_store"]

_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def mask_url(url: str) -> str:
    """``url`` with any password replaced by ``***``, for logs, errors, stats and reprs.

    Works on the text of the URL, so a malformed one (a port that is not a number) is masked
    too rather than raising; one that cannot be split at all keeps only its scheme.
    """
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed [IPv6] bracket: nothing to tell the password apart by
        return url.partition("://")[0] + "://***"
    if parts.query:
        # redis-py also takes the password as a query parameter (?password=...)
        query = "&".join(
            f"{key}=***" if key.lower() == "password" else item
            for item in parts.query.split("&")
            for key in [item.split("=", 1)[0]]
        )
        parts = parts._replace(query=query)
    userinfo, at, host = parts.netloc.rpartition("@")
    if not at or ":" not in userinfo:
        return urlunsplit(parts)
    user = userinfo.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def open_store(target: str | os.PathLike[str], *, create: bool = True) -> Store:
    """The store for ``target``: ``memory:``, ``redis://host:port/db`` or an SQLite file path."""
    if isinstance(target, str) and target == "memory:":
        if not create:
            raise IndexNotFound("memory: holds no index until one is created")
        from .memory import MemoryStore

        return MemoryStore()
    if isinstance(target, str) and target.startswith(_REDIS_SCHEMES):
        from .redis import RedisStore

        return RedisStore(target, create=create)
    from .sqlite import SQLiteStore

    return SQLiteStore(target, create=create)
