"""One pinned virtualenv per peer tool, under ``bench/out/venvs/`` (git-ignored).

    python -m bench.peers.envs [--only NAME ...]     # create or refresh the peer environments

Each tool gets its own environment because their pins clash (datatrove wants ``xxhash<4``,
text-dedup pulls pyspark and datasets, data-juicer pins half of PyPI).
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import venv
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "out"
VENVS = OUT / "venvs"

PINS: dict[str, list[str]] = {
    "datasketch": ["datasketch==2.0.0", "xxhash==3.6.0", "psutil"],
    "rensa": ["rensa==0.5.0", "psutil"],
    "text-dedup": ["text-dedup==0.4.0", "psutil"],
    "datatrove": ["datatrove[processing]==0.10.1", "orjson", "spacy", "jieba", "psutil"],
    "data-juicer": ["py-data-juicer==1.6.1", "aiohttp", "psutil"],
}
"""Packages installed into each peer's environment (the tool pinned; helpers as resolved)."""

log = logging.getLogger(__name__)


def python(name: str) -> Path:
    """The interpreter of peer ``name``'s environment."""
    return VENVS / name / "bin" / "python"


def ready(name: str) -> bool:
    """Whether ``name``'s environment was created and its packages installed."""
    return (
        (VENVS / name / ".installed").read_text() == " ".join(PINS[name])
        if (VENVS / name / ".installed").exists()
        else False
    )


def create(name: str) -> None:
    """Create ``name``'s environment and install its pinned packages (skipped when done)."""
    if ready(name):
        return
    where = VENVS / name
    venv.EnvBuilder(with_pip=True, clear=True).create(where)
    subprocess.run(
        [str(python(name)), "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True
    )
    subprocess.run([str(python(name)), "-m", "pip", "install", "-q", *PINS[name]], check=True)
    (where / ".installed").write_text(" ".join(PINS[name]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", default=list(PINS), choices=list(PINS))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    failed = []
    for name in args.only:
        log.info("environment %s: %s", name, " ".join(PINS[name]))
        try:
            create(name)
        except subprocess.CalledProcessError as exc:
            log.error("environment %s failed: %s", name, exc)
            failed.append(name)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
