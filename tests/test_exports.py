"""The public surface is exactly the sorted ``__all__``."""

from __future__ import annotations

import dedup


def test_all_is_sorted_and_unique() -> None:
    assert dedup.__all__ == sorted(set(dedup.__all__))


def test_every_public_name_is_exported() -> None:
    public = {
        name
        for name, value in vars(dedup).items()
        if not name.startswith("_") and not getattr(value, "__file__", None)
    }
    public -= {"annotations"}
    assert public == set(dedup.__all__)
