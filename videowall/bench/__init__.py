"""Benchmarks: the wall's decode cost, health timings and the soak."""
