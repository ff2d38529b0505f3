"""Benchmarks that print their figures and same-run ratios; see docs/performance.md."""
