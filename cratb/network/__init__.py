"""Directory: territories, organisations, people, roles, EMA coverage."""
