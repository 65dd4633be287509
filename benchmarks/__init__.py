"""Reproducible benchmarks of cratb, one package per subject (``benchmarks/<subject>/``).

Each subject has a ``run.py`` with ``main(argv) -> int`` and a ``README.md`` holding the
measured results, the machine they were measured on and the command that reproduces them.
``make bench`` (``python -m benchmarks``) runs every subject; ``python -m benchmarks
community --help`` shows the options of one.
"""
