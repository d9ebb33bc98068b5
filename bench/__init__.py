"""Benchmarks (`python -m bench.<name>`): each runs by itself on its own database, outside the suite."""
