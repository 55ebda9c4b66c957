"""One contract for every index backend: memory:, SQLite and a real Redis server.

Redis: ``DEDUP_TEST_REDIS_URL`` names a server to use; otherwise the tests start a private
``redis-server`` on a free port of 127.0.0.1 and stop it at exit. Without ``redis-server`` the
Redis cases are skipped with the reason (``apt-get install -y redis-server``).
"""

from __future__ import annotations

import atexit
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.align import align
from dedup.cluster import overlap
from dedup.document import Document
from dedup.errors import ConfigError
from dedup.index import Check, Index, IndexNotFound, Match
from dedup.options import Options
from dedup.sketch import sketch

BACKENDS = ["memory", "sqlite", "redis"]
PERSISTENT = ["sqlite", "redis"]

# -- a Redis server for the tests ---------------------------------------------------------------


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_redis_server(*extra: str) -> tuple[int, Callable[[], None]]:
    """Start a private redis-server on a free loopback port; return its port and a stopper."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install -y redis-server)")
    folder = tempfile.mkdtemp(prefix="dedup-redis-")
    pidfile = os.path.join(folder, "redis.pid")
    port = _free_port()
    subprocess.run(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--daemonize", "yes", "--pidfile", pidfile, "--dir", folder, *extra],
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while not (os.path.exists(pidfile) and _ping_any(port, extra)):
        if time.monotonic() > deadline:
            raise RuntimeError(f"redis-server did not start on port {port}")
        time.sleep(0.05)

    def stop() -> None:
        try:
            pid = int(Path(pidfile).read_text())
            os.kill(pid, signal.SIGTERM)
        except (OSError, ValueError):
            pass
        shutil.rmtree(folder, ignore_errors=True)

    return port, stop


def _ping_any(port: int, extra: tuple[str, ...]) -> bool:
    if "--requirepass" in extra:  # PING needs AUTH: a NOAUTH error also proves it is up
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith((b"+PONG", b"-NOAUTH"))
        except OSError:
            return False
    return _ping(port)


@lru_cache(maxsize=1)
def redis_base_url() -> str:
    """``redis://127.0.0.1:PORT/0`` of the server the tests use (started once per session)."""
    given_url = os.environ.get("DEDUP_TEST_REDIS_URL")
    if given_url:
        return given_url
    port, stop = start_redis_server()
    atexit.register(stop)
    return f"redis://127.0.0.1:{port}/0"


def fresh_redis_target() -> str:
    """A Redis target with a prefix of its own, so tests never see each other's keys."""
    return f"{redis_base_url()}?prefix=test-{uuid.uuid4().hex[:12]}:"


# -- texts ----------------------------------------------------------------------------------

_HAN = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]


def han_text(seed: int, length: int = 200) -> str:
    """A reproducible run of Chinese characters, in sentences."""
    rng = random.Random(seed)
    chars = [rng.choice(_HAN) for _ in range(length)]
    for i in range(20, length, 21):
        chars[i] = "。"
    return "".join(chars)


def edited(text: str, seed: int, edits: int = 2) -> str:
    """``text`` with a few characters replaced: a near-duplicate of it."""
    rng = random.Random(seed)
    chars = list(text)
    for _ in range(edits):
        chars[rng.randrange(len(chars))] = rng.choice(_HAN)
    return "".join(chars)


# -- the backends ---------------------------------------------------------------------------

Opener = Callable[..., Index]


@pytest.fixture(params=BACKENDS)
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """``open(options=None, **kw)``: the test's index on one backend, opened again on each call
    (``memory:`` gives the same object back, since it cannot be reopened)."""
    yield from _opener(request.param, tmp_path)


@pytest.fixture(params=PERSISTENT)
def persistent(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    yield from _opener(request.param, tmp_path)


def _opener(backend: str, tmp_path: Path) -> Iterator[Opener]:
    opened: list[Index] = []
    target = {
        "memory": "memory:",
        "sqlite": str(tmp_path / "test.index"),
        "redis": fresh_redis_target() if backend == "redis" else "",
    }[backend]

    def open_(options: Options | None = None, **kw: object) -> Index:
        if backend == "memory" and opened:
            return opened[0]
        index = Index.open(target, options, **kw)  # type: ignore[arg-type]
        opened.append(index)
        return index

    yield open_
    for index in opened:
        index.close()


# -- the contract ---------------------------------------------------------------------------


def test_exact_and_near_duplicates_are_found_and_unrelated_texts_are_not(opener: Opener) -> None:
    index = opener()
    base = han_text(1)
    index.add("base", base, {"source": "feed-a"})
    index.add("other", han_text(2))

    exact = index.query(base)
    assert [(m.id, m.similarity, m.containment) for m in exact] == [("base", 1.0, 1.0)]
    assert exact[0].meta == {"source": "feed-a"}

    near = index.query(edited(base, 7))
    jaccard, q_in_m, _ = overlap(sketch(edited(base, 7), index.options).shingles,
                                 sketch(base, index.options).shingles)  # fmt: skip
    assert [m.id for m in near] == ["base"]
    assert near[0].similarity == pytest.approx(jaccard)
    assert near[0].containment == pytest.approx(q_in_m)
    assert 0.7 <= near[0].similarity < 1.0

    assert index.query(han_text(3)) == []


def test_matches_are_sorted_best_first_and_cut_at_k(opener: Opener) -> None:
    index = opener()
    base = han_text(10)
    index.add_many([(f"v{e}", edited(base, e, edits=e)) for e in range(0, 5)])
    matches = index.query(base, k=None)
    assert [m.id for m in matches][0] == "v0"
    assert len(matches) >= 3
    keys = [(-m.similarity, m.id) for m in matches]
    assert keys == sorted(keys)
    assert index.query(base, k=2) == matches[:2]


def test_query_threshold_overrides_the_index_threshold(opener: Opener) -> None:
    index = opener()
    base = han_text(11)
    index.add("far", edited(base, 3, edits=6))
    similarity = index.query(base, k=None, threshold=0.01)[0].similarity
    assert index.query(base, threshold=similarity) != []
    assert index.query(base, threshold=min(1.0, similarity + 0.01)) == []
    with pytest.raises(ConfigError):
        index.query(base, threshold=1.5)


def test_add_replaces_a_document_with_the_same_id(opener: Opener) -> None:
    index = opener()
    first, second = han_text(20), han_text(21)
    index.add("doc", first)
    index.add("doc", second, {"v": 2})
    assert len(index) == 1
    assert index.query(first) == []
    assert [(m.id, m.meta) for m in index.query(second)] == [("doc", {"v": 2})]
    assert index.verify() == []


def test_add_many_takes_documents_and_tuples_in_batches(opener: Opener) -> None:
    index = opener()
    items = [Document(id=f"d{i}", text=han_text(100 + i), meta={"i": i}) for i in range(7)]
    items += [(f"t{i}", han_text(200 + i)) for i in range(5)]
    items.append(("t0", han_text(300)))  # the same id again in a later batch: replaces
    progress: list[int] = []
    added = index.add_many(items, batch_size=3, progress=lambda done, total: progress.append(done))
    assert added == 13
    assert progress == [3, 6, 9, 12, 13]
    assert len(index) == 12
    assert [m.meta for m in index.query(han_text(104))] == [{"i": 4}]
    assert [m.id for m in index.query(han_text(300))] == ["t0"]
    assert index.query(han_text(200)) == []
    assert index.verify() == []


def test_add_many_with_worker_processes_indexes_the_same(opener: Opener) -> None:
    index = opener()
    items = [(f"d{i}", han_text(700 + i)) for i in range(9)]
    assert index.add_many(items, batch_size=2, workers=2) == 9
    with Index.open("memory:") as reference:
        reference.add_many(items)
        for _, text in items:
            assert index.query(text, k=None) == reference.query(text, k=None) != []
    assert len(index) == 9
    assert index.verify() == []
    with pytest.raises(ConfigError, match="workers"):
        index.add_many(items, workers=0)


def test_remove(opener: Opener) -> None:
    index = opener()
    index.add_many([(f"d{i}", han_text(400 + i)) for i in range(4)])
    assert index.remove("d1") is True
    assert index.remove("d1") is False
    assert "d1" not in index and "d2" in index
    assert index.query(han_text(401)) == []
    assert index.remove_many(["d2", "d3", "nope", "d2"]) == 2
    assert len(index) == 1
    assert index.verify() == []


def test_check_and_add(opener: Opener) -> None:
    index = opener()
    base = han_text(30)
    assert index.check_and_add("a", base) == Check(new=True, matches=[])
    again = index.check_and_add("b", edited(base, 1))
    assert again.new is False
    assert [m.id for m in again.matches] == ["a"]
    assert "b" not in index
    assert len(index) == 1
    assert index.check_and_add("c", han_text(31)).new is True
    assert len(index) == 2


def test_check_and_add_from_many_threads_tells_exactly_one_new(opener: Opener) -> None:
    index = opener()
    workers, rounds = 6, 15
    results: list[tuple[int, bool]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(workers)

    def work(worker: int) -> None:
        for r in range(rounds):
            barrier.wait()
            check = index.check_and_add(f"w{worker}-r{r}", han_text(500 + r))
            with lock:
                results.append((r, check.new))

    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in range(rounds):
        assert sum(new for rr, new in results if rr == r) == 1
    assert len(index) == rounds
    assert index.verify() == []


def test_explain_gives_the_estimated_and_exact_figures(opener: Opener) -> None:
    index = opener()
    base = han_text(40)
    index.add("a", base)
    query = edited(base, 2, edits=3)
    (match,) = index.query(query, explain=True)
    e = match.explanation
    assert e is not None
    q, m = sketch(query, index.options), sketch(base, index.options)
    jaccard, q_in_m, m_in_q = overlap(q.shingles, m.shingles)
    assert (e.similarity, e.query_in_match, e.match_in_query) == (jaccard, q_in_m, m_in_q)
    assert e.estimated_similarity == float((q.signature == m.signature).mean())
    assert e.alignment == align(query, base, index.options.normalize).counts
    assert e.alignment["edit"] == 1
    assert index.query(query)[0].explanation is None
    check = index.check_and_add("b", query, explain=True)
    assert check.matches[0].explanation == e


def test_without_texts_explain_has_no_alignment(opener: Opener) -> None:
    index = opener(keep_text=False)
    base = han_text(41)
    index.add("a", base)
    (match,) = index.query(edited(base, 1), explain=True)
    assert match.explanation is not None
    assert match.explanation.alignment is None
    assert match.explanation.similarity == match.similarity
    assert index.stats()["keep_text"] is False


def test_stats_describe_the_index(opener: Opener) -> None:
    index = opener(Options(threshold=0.8, num_perm=64))
    index.add_many([(f"d{i}", han_text(600 + i)) for i in range(3)])
    stats = index.stats()
    assert stats["documents"] == 3 == len(index)
    assert stats["options"]["threshold"] == 0.8
    assert stats["options"]["num_perm"] == 64
    assert stats["scheme"] == "affine32"
    assert stats["bands"] * stats["rows"] <= 64
    assert stats["backend"] in repr(index)


def test_meta_must_be_json(opener: Opener) -> None:
    from dedup.errors import InputError

    index = opener()
    with pytest.raises(InputError, match="JSON"):
        index.add("a", "text", {"when": object()})
    assert len(index) == 0


def test_reopened_index_keeps_documents_and_options(persistent: Opener) -> None:
    options = Options(threshold=0.8, cjk_ngram=4)
    with persistent(options) as index:
        index.add("a", han_text(50), {"k": "v"})
    with persistent() as index:
        assert index.options == options
        assert [(m.id, m.meta) for m in index.query(han_text(50))] == [("a", {"k": "v"})]
    with persistent(options) as index:
        assert len(index) == 1


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"cjk_ngram": Options().cjk_ngram + 2}, "cjk_ngram"),
        ({"num_perm": 64}, "num_perm"),
        ({"threshold": 0.9}, "threshold"),
        ({"seed": 2}, "seed"),
    ],
    ids=["ngram", "num_perm", "threshold", "seed"],
)
def test_other_options_are_refused_with_the_difference_named(
    persistent: Opener, changes: dict[str, object], named: str
) -> None:
    with persistent(Options()) as index:
        index.add("a", han_text(60))
    with pytest.raises(ConfigError, match=named):
        persistent(Options().with_(**changes))


def test_other_normalization_is_refused(persistent: Opener) -> None:
    from dedup.options import NormalizeOptions

    persistent(Options()).close()
    with pytest.raises(ConfigError, match="normalize.t2s"):
        persistent(Options(normalize=NormalizeOptions(t2s=False)))


def test_create_false_does_not_create(persistent: Opener) -> None:
    with pytest.raises(IndexNotFound):
        persistent(create=False)
    with persistent() as index:
        assert len(index) == 0
    persistent(create=False).close()


# -- differential: the index against a brute-force reference ---------------------------------

_WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]
_corpus = st.lists(
    st.lists(st.sampled_from(_WORDS), min_size=3, max_size=14).map(" ".join),
    min_size=1,
    max_size=12,
)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=_corpus, query=st.lists(st.sampled_from(_WORDS), min_size=3, max_size=14))
def test_matches_are_sound_against_brute_force(
    backend: str, tmp_path: Path, texts: list[str], query: list[str]
) -> None:
    """Every match is a document whose exact Jaccard reaches the threshold, with that exact
    figure; every stored document with the very same shingle set is found."""
    target = {
        "memory": "memory:",
        "sqlite": str(tmp_path / f"{uuid.uuid4().hex}.index"),
        "redis": fresh_redis_target() if backend == "redis" else "",
    }[backend]
    options = Options(threshold=0.5)
    q_text = " ".join(query)
    with Index.open(target, options) as index:
        index.add_many([(f"d{i}", t) for i, t in enumerate(texts)])
        got = index.query(q_text, k=None)
    q = sketch(q_text, options).shingles
    reference = {}
    for i, t in enumerate(texts):
        jaccard, q_in_m, _ = overlap(q, sketch(t, options).shingles)
        reference[f"d{i}"] = (jaccard, q_in_m)
    for m in got:
        assert isinstance(m, Match)
        assert (m.similarity, m.containment) == reference[m.id]
        assert m.similarity >= 0.5
    must = {i for i, (jaccard, _) in reference.items() if jaccard == 1.0}
    assert must <= {m.id for m in got}
