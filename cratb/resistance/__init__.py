"""Resistance surveillance: cumulative antibiograms, the labs' code table and the
labs' API of targeted susceptibility reporting."""
