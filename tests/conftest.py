"""Shared fixtures: the seeds and variants built from them."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def seed_path(prefix: str) -> Path:
    """The seed file whose name starts with ``prefix`` (e.g. "000")."""
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


def seed_text(prefix: str) -> str:
    return seed_path(prefix).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    """Seed texts keyed by their three-digit prefix."""
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
