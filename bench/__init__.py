"""Benchmarks: scripts that print figures, never assertions.

A package so that `bench/kernels.py` does not shadow the `kernels` package for mypy.
"""
