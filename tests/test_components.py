"""Connected components on Spark (large-star/small-star) against union-find."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

pytest.importorskip("pyspark")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from dedup.cluster import connected_components as union_find_components  # noqa: E402
from dedup.spark import connected_components, local_session  # noqa: E402

Edges = list[tuple[int, int]]


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    session = local_session("local[2]", driver_memory="1g", shuffle_partitions=4)
    yield session


def _spark_groups(spark: object, edges: Edges) -> list[list[int]]:
    frame = spark.createDataFrame(edges, "src long, dst long")  # type: ignore[attr-defined]
    rows = connected_components(frame).collect()
    nodes = [r["node"] for r in rows]
    assert len(nodes) == len(set(nodes)), "a node is in two components"
    groups: dict[int, list[int]] = {}
    for row in rows:
        groups.setdefault(row["component"], []).append(row["node"])
    for component, members in groups.items():
        assert component == min(members), "a component is not named by its smallest node"
    return sorted(sorted(g) for g in groups.values())


def _reference(edges: Edges) -> list[list[int]]:
    """Union-find over the nodes on an edge (loops alone make no group)."""
    nodes = sorted({x for e in edges for x in e})
    local = {x: i for i, x in enumerate(nodes)}
    groups = union_find_components(len(nodes), ((local[a], local[b]) for a, b in edges))
    return sorted(sorted(nodes[i] for i in g) for g in groups)


def _long_path(n: int, seed: int) -> Edges:
    """A path through ``n`` nodes in random order: the worst case for label propagation."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return list(zip(order, order[1:], strict=False))


GRAPHS: dict[str, Edges] = {
    "chain": [(1, 2), (2, 3), (3, 4), (4, 5)],
    "chain-reversed": [(5, 4), (4, 3), (3, 2), (2, 1)],
    "star": [(7, leaf) for leaf in (1, 3, 9, 12, 20, 40)],
    "star-centre-largest": [(100, leaf) for leaf in range(10)],
    "two-components": [(1, 2), (2, 3), (10, 11), (11, 12), (12, 10)],
    "duplicates-and-loops": [(1, 2), (2, 1), (1, 2), (3, 3), (3, 4)],
    "long-path": _long_path(1500, seed=7),
    "large-ids": [(2**40 + 5, 2**35), (2**35, 3), (2**62, 2**62 - 1)],
}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_components_equal_union_find(spark: object, name: str) -> None:
    edges = GRAPHS[name]
    assert _spark_groups(spark, edges) == _reference(edges)


def test_empty_graph(spark: object) -> None:
    assert _spark_groups(spark, []) == []


@st.composite
def _graphs(draw: st.DrawFn) -> Edges:
    """Several random graphs side by side (one Spark run checks them all)."""
    edges: Edges = []
    base = 0
    for _ in range(draw(st.integers(1, 6))):
        n = draw(st.integers(2, 40))
        pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60))
        edges.extend((base + a, base + b) for a, b in pairs)
        base += n + draw(st.integers(0, 5))
    return edges


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edges=_graphs())
def test_random_graphs_equal_union_find(spark: object, edges: Edges) -> None:
    assert _spark_groups(spark, edges) == _reference(edges)
