"""Bench of the persistent index: add throughput, query latency and near-duplicate recall."""
