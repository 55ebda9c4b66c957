"""Benchmark of ``dedupe spark`` in local mode beside ``dedupe run`` on the same corpus."""
