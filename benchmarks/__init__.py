"""Benchmarks for the tutorial: `make bench` (python -m benchmarks)."""
