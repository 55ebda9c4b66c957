"""The public surface is exactly the sorted ``__all__``."""

from __future__ import annotations

import dedup


def test_all_is_sorted_and_unique() -> None:
    assert dedup.__all__ == sorted(set(dedup.__all__))


def test_every_public_name_is_exported() -> None:
    """Names are imported when first used (``import dedup`` stays light); each resolves."""
    public = {
        name
        for name in dir(dedup)
        if not name.startswith("_") and not getattr(getattr(dedup, name), "__file__", None)
    }
    public -= {"annotations"}
    assert public == set(dedup.__all__)
    assert dedup.run.__module__ == "dedup.pipeline" and dedup.Index.__module__ == "dedup.index.core"


def test_a_name_that_is_not_there_is_an_attribute_error() -> None:
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        dedup.nothing  # noqa: B018
