"""Code point tables kept on disk: loaded equal to built, rebuilt when unreadable."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from dedup import normalize
from dedup.fastsketch import _build_token_classes, token_classes
from dedup.tablecache import cache_folder, cached_arrays

BUILDS = []


def _build_squares() -> dict[str, npt.NDArray[np.generic]]:
    BUILDS.append(1)
    return {"squares": np.arange(10, dtype=np.int64) ** 2, "flags": np.array([True, False])}


@pytest.fixture()
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DEDUP_CACHE_DIR", str(tmp_path / "cache"))
    BUILDS.clear()
    return tmp_path / "cache"


def _equal(a: dict[str, npt.NDArray[np.generic]], b: dict[str, npt.NDArray[np.generic]]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].dtype == b[name].dtype
        assert np.array_equal(a[name], b[name])


def test_second_call_loads_what_the_first_saved(folder: Path) -> None:
    first = cached_arrays(_build_squares)
    second = cached_arrays(_build_squares)
    assert len(BUILDS) == 1
    _equal(first, second)
    assert [p.name.split("-")[0] for p in folder.iterdir()] == [
        f"{_build_squares.__module__}._build_squares"
    ]


def test_other_dependencies_name_another_file(folder: Path) -> None:
    cached_arrays(_build_squares, depends=["a"])
    cached_arrays(_build_squares, depends=["b"])
    assert len(BUILDS) == 2
    assert len(list(folder.iterdir())) == 2


def test_an_unreadable_file_is_built_again(folder: Path) -> None:
    cached_arrays(_build_squares)
    (saved,) = folder.iterdir()
    saved.write_bytes(b"not an npz file")
    _equal(cached_arrays(_build_squares), _build_squares())
    assert len(BUILDS) == 3
    _equal(cached_arrays(_build_squares), _build_squares())  # and saved right this time
    assert len(BUILDS) == 4


def test_a_folder_that_cannot_be_made_still_gives_the_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("in the way")
    monkeypatch.setenv("DEDUP_CACHE_DIR", str(blocker / "cache"))
    _equal(cached_arrays(_build_squares), _build_squares())


def test_off_builds_every_time_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEDUP_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    BUILDS.clear()
    assert cache_folder() is None
    cached_arrays(_build_squares)
    cached_arrays(_build_squares)
    assert len(BUILDS) == 2
    assert not list(tmp_path.iterdir())


def test_default_folder_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEDUP_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_folder() == tmp_path / "dedup"


def test_the_real_tables_load_equal_to_built(folder: Path) -> None:
    """The normalization and token tables as a process loads them equal a fresh build."""
    built = normalize._build_tables()
    loaded = cached_arrays(normalize._build_tables)  # built and saved into the empty folder
    _equal(built, cached_arrays(normalize._build_tables))  # loaded back
    _equal(built, loaded)
    tables = normalize._tables()  # whatever this process holds, from any cache
    for name, array in built.items():
        assert np.array_equal(getattr(tables, name), array), name
    assert np.array_equal(token_classes(), _build_token_classes()["classes"])


def test_without_source_the_tables_are_built(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A package shipped as bytecode only has no source to name the file by."""

    def no_source(module: object) -> str:
        raise OSError("could not get source code")

    monkeypatch.setattr("dedup.tablecache.inspect.getsource", no_source)
    _equal(cached_arrays(_build_squares), _build_squares())
    assert not folder.exists()
