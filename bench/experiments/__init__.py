"""Experiment benchmarks: each module has ``run() -> list[(what, figure, target)]``; see bench_experiments.py."""
