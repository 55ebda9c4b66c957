"""Run a command and sample its process tree: wall time, peak resident memory, CPU time.

CPU time is the larger of two counts: the tree's user + system time with reaped children
(``cutime``, ``cstime`` of /proc/<pid>/stat) at its largest over the run, and the rusage of
the reaped child (which holds every descendant that was waited for). On a shared machine it
measures the work done, where wall time also measures the neighbours.
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass

_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Measured:
    wall_seconds: float
    peak_rss_bytes: int
    cpu_seconds: float
    returncode: int
    stderr_tail: str


def _tree(pid: int) -> tuple[int, float]:
    """(resident bytes, CPU seconds) of ``pid`` and its descendants, Linux /proc."""
    rss, cpu = 0, 0.0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/statm") as handle:
                rss += int(handle.read().split()[1]) * _PAGE
            with open(f"/proc/{p}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            cpu += sum(int(x) for x in fields[11:15]) / _TICK  # utime stime cutime cstime
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as handle:
                    stack.extend(int(c) for c in handle.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return rss, cpu


def measure(command: list[str], env: dict[str, str], timeout: float) -> Measured:
    """Run ``command`` to the end, sampling its process tree every 50 ms."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak_rss, peak_cpu = 0, 0.0
    done = threading.Event()

    def poll() -> None:
        nonlocal peak_rss, peak_cpu
        while not done.is_set():
            rss, cpu = _tree(proc.pid)
            peak_rss, peak_cpu = max(peak_rss, rss), max(peak_cpu, cpu)
            time.sleep(0.05)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    wall = time.perf_counter() - started
    done.set()
    thread.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    reaped = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    tail = " | ".join(err.decode("utf-8", "replace").strip().splitlines()[-3:])
    return Measured(wall, peak_rss, max(peak_cpu, reaped), proc.returncode, tail)
