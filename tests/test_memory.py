"""The malloc tuning that the CLI and the signing workers apply to their own processes."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_glibc_accepts_every_setting() -> None:
    """Run in a fresh process: the tuning is for processes dedup owns, not pytest's."""
    out = subprocess.run(
        [sys.executable, "-c", "from dedup.memory import keep_freed_memory as k; print(k())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "True"
