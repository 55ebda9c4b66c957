"""The Redis index against a real redis-server: secrets never shown, atomic writes, shared use."""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import time
import uuid
from collections.abc import Iterator

import pytest
from test_index_contract import fresh_redis_target, redis_base_url, start_redis_server
from test_index_sqlite import run_checkers, text_for

from dedup.errors import StoreError
from dedup.index import Index, IndexNotFound, mask_url

FORK = mp.get_context("fork")  # the child starts at once, with the test module loaded
SECRET = "s3cret-Pa55"


@pytest.fixture(scope="module")
def locked_port() -> Iterator[int]:
    """A private redis-server that wants the password SECRET."""
    port, stop = start_redis_server("--requirepass", SECRET)
    yield port
    stop()


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:pw@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
        ("redis://user:pw@host:1/2?prefix=a:", "redis://user:***@host:1/2?prefix=a:"),
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("rediss://:pw@[::1]:6380/1", "rediss://:***@[::1]:6380/1"),
    ],
    ids=["password", "user-and-password", "no-password", "ipv6-tls"],
)
def test_mask_url(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_the_password_never_shows(locked_port: int, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    url = f"redis://:{SECRET}@127.0.0.1:{locked_port}/0?prefix=t{uuid.uuid4().hex[:8]}:"
    with Index.open(url) as index:
        index.add("a", text_for(1))
        index.check_and_add("b", text_for(1))
        shown = [repr(index), str(index.stats()), index.target]
    with pytest.raises(StoreError) as wrong:
        Index.open(url.replace(SECRET, "wrong-one"))
    with pytest.raises(StoreError) as unreachable:
        Index.open(f"redis://:{SECRET}@127.0.0.1:1/0")
    shown += [str(wrong.value), str(unreachable.value), caplog.text]
    assert "refused the credentials" in str(wrong.value)
    assert "cannot reach Redis" in str(unreachable.value)
    for text in shown:
        assert SECRET not in text
        assert "wrong-one" not in text
    assert "***" in shown[0]


def test_prefixes_keep_indexes_apart() -> None:
    a_target, b_target = fresh_redis_target(), fresh_redis_target()
    with Index.open(a_target) as a, Index.open(b_target) as b:
        a.add("x", text_for(2))
        assert len(a) == 1 and len(b) == 0
        assert b.query(text_for(2)) == []


def test_a_foreign_key_is_refused() -> None:
    import redis

    prefix = f"foreign{uuid.uuid4().hex[:8]}:"
    client = redis.Redis.from_url(redis_base_url())
    client.set(f"{prefix}config", "someone else's value")
    client.close()
    with pytest.raises(StoreError, match="not a dedup index"):
        Index.open(f"{redis_base_url()}?prefix={prefix}")


def test_an_absent_index_is_not_created_on_request() -> None:
    with pytest.raises(IndexNotFound):
        Index.open(fresh_redis_target(), create=False)


def test_check_and_add_from_several_processes_tells_exactly_one_new() -> None:
    target = fresh_redis_target()
    found = run_checkers(target)
    for r in range(60):
        assert sum(new for rr, _, new in found if rr == r) == 1
    with Index.open(target) as index:
        assert len(index) == 60
        assert index.verify() == []


def _writer(target: str, total: int, batch: int) -> None:
    with Index.open(target) as index:
        index.add_many(((f"d{i}", text_for(i)) for i in range(total)), batch_size=batch)


def test_a_writer_killed_mid_add_many_leaves_whole_batches() -> None:
    target, total, batch = fresh_redis_target(), 3000, 40
    proc = FORK.Process(target=_writer, args=(target, total, batch))
    proc.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with Index.open(target, create=False) as index:
                    if len(index) >= 200:
                        break
            except IndexNotFound:
                pass
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.join(30)
    assert proc.exitcode == -signal.SIGKILL
    with Index.open(target) as index:
        n = len(index)
        assert 200 <= n < total
        assert n % batch == 0
        assert index.verify() == []
        assert {f"d{i}" for i in range(total) if f"d{i}" in index} == {f"d{i}" for i in range(n)}
