"""Evaluation of dedup on real and generated data: ``python -m bench.eval`` (``make eval``)."""
