"""Benchmarks: each runnable with one command and printing a table."""
