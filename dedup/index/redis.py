"""An index in a Redis database, shared by every worker that can reach the server.

Keys, under a prefix (``dedup:`` unless the URL says ``?prefix=...``)::

    {prefix}config        the index configuration (JSON)
    {prefix}ids           set of document ids
    {prefix}d:{id}        hash: k (band keys), s (signature), h (shingles), n (length),
                          m (meta JSON, when given), t (text, when kept)
    {prefix}b:{key}       set of the ids whose band hashes to ``key`` (8 bytes)

Writes run as Lua scripts, which Redis executes atomically: a batch is stored with all its band
sets or not at all, even when the client dies half-way (the script is then never run).
``check_and_put`` WATCHes the band keys of the new document: if another writer stores a document
sharing a band (the only kind that could be a near-duplicate) between the look-up and the write,
the write is refused and the check runs again. Standalone Redis only (the scripts touch keys they
compute, which Redis Cluster does not allow).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..errors import ConfigError, MissingDependency, StoreError
from .store import (
    FORMAT,
    Decide,
    IndexNotFound,
    Record,
    Store,
    decode_meta,
    encode_meta,
    from_keys,
    from_u32,
    keys_bytes,
    u32_bytes,
)
from .targets import mask_url

__all__ = ["RedisStore"]

log = logging.getLogger(__name__)

_RETRIES = 1000  # check_and_put attempts before giving up on a hot band

_PUT = """
local p = ARGV[1]
for i = 2, #ARGV, 8 do
  local id = ARGV[i]
  local dk = p .. 'd:' .. id
  local old = redis.call('HGET', dk, 'k')
  if old then
    for j = 1, #old, 8 do
      redis.call('SREM', p .. 'b:' .. string.sub(old, j, j + 7), id)
    end
    redis.call('DEL', dk)
  end
  local keys = ARGV[i + 1]
  redis.call('HSET', dk, 'k', keys, 's', ARGV[i + 2], 'h', ARGV[i + 3], 'n', ARGV[i + 4])
  if ARGV[i + 5] ~= '' then redis.call('HSET', dk, 'm', ARGV[i + 5]) end
  if ARGV[i + 6] == '1' then redis.call('HSET', dk, 't', ARGV[i + 7]) end
  for j = 1, #keys, 8 do
    redis.call('SADD', p .. 'b:' .. string.sub(keys, j, j + 7), id)
  end
  redis.call('SADD', p .. 'ids', id)
end
return 1
"""

_REMOVE = """
local p = ARGV[1]
local n = 0
for i = 2, #ARGV do
  local id = ARGV[i]
  local dk = p .. 'd:' .. id
  local old = redis.call('HGET', dk, 'k')
  if old then
    for j = 1, #old, 8 do
      redis.call('SREM', p .. 'b:' .. string.sub(old, j, j + 7), id)
    end
    redis.call('DEL', dk)
    redis.call('SREM', p .. 'ids', id)
    n = n + 1
  end
end
return n
"""

_FIELDS = (b"k", b"s", b"h", b"n", b"m")


_FORM = "redis://[:password@]host[:port][/db] (rediss:// for TLS), e.g. redis://localhost:6379/0"
_UNIX_FORM = "unix:///path/to/redis.sock[?db=N]"
_ENCODE = "percent-encode '@', '/', '?', '#' and '%' in a password (%40, %2F, %3F, %23, %25)"


def check_url(url: str) -> None:
    """Raise a :class:`ConfigError` naming what is wrong with the Redis URL ``url``, if anything.

    The message never repeats the URL: a malformed one is often a password with a character
    that should have been percent-encoded, which would then show unmasked.

    >>> check_url("redis://:pw@localhost:6379/0")
    >>> check_url("redis://localhost:notaport")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    dedup.errors.ConfigError: malformed Redis URL: the port is not a number from 1 to 65535; ...
    """
    unix = url.startswith("unix://")
    problem = _url_problem(url, unix)
    if problem is not None:
        form = _UNIX_FORM if unix else _FORM
        raise ConfigError(f"malformed Redis URL: {problem}; expected {form}")


def _url_problem(url: str, unix: bool) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:  # the only complaint urlsplit has
        return "an unclosed '[' (an IPv6 host is written [::1])"
    query = parse_qsl(parts.query)
    if any(not (v.isascii() and v.isdigit()) for k, v in query if k == "db"):
        return "db= in the query is not a database number (0, 1, 2, ...)"
    if unix:
        return None if parts.path else "no socket path after unix://"
    if parts.netloc.count("@") > 1:
        return f"more than one '@' before the host; {_ENCODE}"
    if "@" in parts.path or "@" in parts.fragment or (not parts.hostname and "@" in url):
        return f"an '@' after the host; {_ENCODE}"
    if not parts.hostname:
        return f"no host after {parts.scheme}://"
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        return "the port is not a number from 1 to 65535"
    db = parts.path[1:]
    if db and not (db.isascii() and db.isdigit()):
        return "the database (after the host and /) is not a number (0, 1, 2, ...)"
    return None


class RedisStore(Store):
    """An index in the Redis database named by ``url`` (``redis://[:password@]host:port/db``).

    A malformed ``url`` is a :class:`ConfigError` (see :func:`check_url`), an unreachable or
    refusing server a :class:`StoreError`.
    """

    backend = "redis"

    def __init__(self, url: str, *, create: bool = True, timeout: float = 30.0) -> None:
        check_url(url)  # before the import: a wrong URL is wrong with or without redis-py
        try:
            import redis
        except ImportError as exc:
            raise MissingDependency("redis", "redis") from exc
        self._redis = redis
        self.target = mask_url(url)
        self._secret = urlsplit(url).password
        parts = urlsplit(url)
        query = parse_qsl(parts.query)
        prefixes = [v for k, v in query if k == "prefix"]
        self.prefix = (prefixes[-1] if prefixes else "dedup:").encode()
        rest = urlencode([(k, v) for k, v in query if k != "prefix"])
        try:
            self._r: Any = redis.Redis.from_url(
                urlunsplit(parts._replace(query=rest)),
                socket_timeout=timeout,
                socket_connect_timeout=timeout,
            )
            with self._guard():
                self._r.ping()  # the first connection: where redis-py meets unknown settings
        except (TypeError, ValueError) as exc:  # a setting in the query redis-py does not take
            raise ConfigError(
                f"Redis URL {self.target}: {self._setting_problem(exc)} (the query takes "
                "prefix=NAME: and redis-py's connection settings: db=N, socket_timeout=SECONDS, "
                "...)"
            ) from exc
        with self._guard():
            self._put_script = self._r.register_script(_PUT)
            self._remove_script = self._r.register_script(_REMOVE)
        if not create and self.load_config() is None:
            raise IndexNotFound(f"no index at {self.target}; add documents to create one")

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn redis-py's exceptions into a StoreError naming the (masked) server."""
        try:
            yield
        except self._redis.exceptions.AuthenticationError as exc:
            raise StoreError(f"Redis at {self.target} refused the credentials") from exc
        except self._redis.exceptions.ConnectionError as exc:
            raise StoreError(
                f"cannot reach Redis at {self.target}: {self._scrub(exc)} "
                "(is redis-server running and the URL right?)"
            ) from exc
        except self._redis.exceptions.RedisError as exc:
            raise StoreError(f"Redis at {self.target}: {self._scrub(exc)}") from exc

    def _setting_problem(self, exc: Exception) -> str:
        unknown = re.search(r"unexpected keyword argument '([^']*)'", str(exc))
        if unknown:
            return f"unknown setting {unknown[1]!r} in the query"
        return self._scrub(exc).rstrip(".")

    def _scrub(self, exc: Exception) -> str:
        message = str(exc)
        return message.replace(self._secret, "***") if self._secret else message

    def _key(self, *parts: bytes) -> bytes:
        return self.prefix + b"".join(parts)

    def _band(self, key: int) -> bytes:
        return self._key(b"b:", keys_bytes([key]))

    def _doc(self, doc_id: str) -> bytes:
        return self._key(b"d:", doc_id.encode())

    # -- configuration ------------------------------------------------------------------------

    def load_config(self) -> dict[str, Any] | None:
        with self._guard():
            try:
                raw = self._r.get(self._key(b"config"))
            except self._redis.exceptions.ResponseError as exc:
                raise StoreError(
                    f"{self.target}: key {self._key(b'config').decode()!r} belongs to something "
                    "else; use another database or ?prefix=..."
                ) from exc
        if raw is None:
            return None
        try:
            config: dict[str, Any] = json.loads(raw)
        except ValueError:
            config = {}
        if not isinstance(config, dict) or config.get("format") != FORMAT:
            raise StoreError(
                f"{self.target}: key {self._key(b'config').decode()!r} is not a dedup index "
                "configuration; use another database or ?prefix=..."
            )
        return config

    def init_config(self, config: dict[str, Any]) -> dict[str, Any]:
        with self._guard():
            self._r.set(self._key(b"config"), json.dumps(config, sort_keys=True), nx=True)
        stored = self.load_config()
        assert stored is not None
        return stored

    # -- documents ----------------------------------------------------------------------------

    def _put_args(self, records: Sequence[Record]) -> list[bytes | str | int]:
        args: list[bytes | str | int] = [self.prefix]
        for r in records:
            args += [
                r.id.encode(),
                keys_bytes(r.keys),
                u32_bytes(r.signature),
                u32_bytes(r.shingles),
                r.length,
                encode_meta(r.meta) or "",
                "1" if r.text is not None else "0",
                r.text or "",
            ]
        return args

    def put(self, records: Sequence[Record]) -> None:
        if records:
            with self._guard():
                self._put_script(args=self._put_args(records))

    def check_and_put(self, record: Record, decide: Decide) -> bool:
        bands = [self._band(k) for k in record.keys]
        with self._guard():
            for _ in range(_RETRIES):
                with self._r.pipeline() as pipe:
                    try:
                        pipe.watch(*bands, self._doc(record.id))
                        ids = pipe.sunion(bands) if bands else set()
                        if not decide(self._fetch(sorted(ids), with_text=True)):
                            pipe.unwatch()
                            return False
                        pipe.multi()
                        self._put_script(args=self._put_args([record]), client=pipe)
                        pipe.execute()
                        return True
                    except self._redis.exceptions.WatchError:
                        log.debug("check_and_put of %r retried after a concurrent write", record.id)
        raise StoreError(f"{self.target}: gave up on {record.id!r} after {_RETRIES} conflicts")

    def candidates(self, keys: Sequence[int], with_text: bool = False) -> list[Record]:
        if not keys:
            return []
        with self._guard():
            ids = self._r.sunion([self._band(k) for k in keys])
            return self._fetch(sorted(ids), with_text)

    def _fetch(self, ids: Sequence[bytes], with_text: bool) -> list[Record]:
        fields = (*_FIELDS, b"t") if with_text else _FIELDS
        pipe = self._r.pipeline(transaction=False)
        for doc_id in ids:
            pipe.hmget(self.prefix + b"d:" + doc_id, fields)
        records = []
        for doc_id, values in zip(ids, pipe.execute(), strict=True):
            if values[0] is not None:  # removed since the band look-up
                records.append(_record(doc_id.decode(), values))
        return records

    def get(self, doc_id: str) -> Record | None:
        with self._guard():
            found = self._fetch([doc_id.encode()], with_text=True)
        return found[0] if found else None

    def remove(self, ids: Sequence[str]) -> int:
        if not ids:
            return 0
        with self._guard():
            args: list[bytes] = [self.prefix, *(i.encode() for i in dict.fromkeys(ids))]
            return int(self._remove_script(args=args))

    def count(self) -> int:
        with self._guard():
            return int(self._r.scard(self._key(b"ids")))

    def verify(self) -> list[str]:
        problems: list[str] = []
        with self._guard():
            ids = {i.decode() for i in self._r.sscan_iter(self._key(b"ids"), count=1000)}
            for doc_id in sorted(ids):
                keys = self._r.hget(self._doc(doc_id), "k")
                if keys is None:
                    problems.append(f"document {doc_id!r} is listed but has no record")
                    continue
                for key in from_keys(keys):
                    if not self._r.sismember(self._band(key), doc_id):
                        problems.append(f"document {doc_id!r} is missing band key {key}")
            pattern = _glob_escape(self._key(b"b:")) + b"*"
            for band in self._r.scan_iter(match=pattern, count=1000):
                key = from_keys(band[len(self.prefix) + 2 :])[0]
                for member in self._r.smembers(band):
                    if member.decode() not in ids:
                        problems.append(f"band key {key} points to missing document {member!r}")
        return sorted(problems)

    def info(self) -> dict[str, Any]:
        with self._guard():
            server = self._r.info("server")
            memory = self._r.info("memory")
        return {
            "prefix": self.prefix.decode(),
            "redis_version": server.get("redis_version"),
            "used_memory_bytes": memory.get("used_memory"),
        }

    def close(self) -> None:
        self._r.close()


def _glob_escape(pattern: bytes) -> bytes:
    return b"".join(b"\\" + bytes([c]) if c in b"*?[]\\" else bytes([c]) for c in pattern)


def _record(doc_id: str, values: Sequence[bytes | None]) -> Record:
    keys, signature, shingles, length, meta, *text = values
    assert keys is not None and signature is not None and shingles is not None
    return Record(
        id=doc_id,
        keys=from_keys(keys),
        signature=from_u32(signature),
        shingles=from_u32(shingles),
        length=int(length or 0),
        meta=decode_meta(meta),
        text=text[0].decode() if text and text[0] is not None else None,
    )
