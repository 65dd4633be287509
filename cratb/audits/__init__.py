"""Practice audits: grids as data, campaigns, cases, results and feedback sheets."""
