"""Defaults shared by every front end (Python, CLI, web), so that the same data give the same
numbers everywhere.

Simulation-based answers (bootstrap intervals, goodness-of-fit p-values) use a fixed seed by
default: two identical runs print identical numbers, and the seed is reported with them
(``to_dict()``, the CLI text and JSON, the web page). Pass ``rng=None`` for fresh randomness,
or another seed / ``numpy.random.Generator``.
"""

from __future__ import annotations

__all__ = ["DEFAULT_SEED", "BOOT_N_BOOT", "COMPARE_GOF_N_BOOT"]

DEFAULT_SEED = 0            # rng= of bootstrap intervals, gof() and compare(gof=...)
BOOT_N_BOOT = 2000          # replicates of a bootstrap interval
COMPARE_GOF_N_BOOT = 99     # refits per family for compare's GOF p-values (floor 1/100)
