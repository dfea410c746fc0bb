"""Benchmarks of sessionmig, and the synthetic stores they and the tests use."""
