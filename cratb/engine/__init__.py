"""The analytics engine: pure Python, never imports Django nor the web apps.

Reference data, readers and validators of the input files (CONTRACTS.md),
staging -> intermediate -> indicator layers written once with Ibis, run on
DuckDB by default and on Spark at national scale.
"""
