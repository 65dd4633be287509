"""Directory: territories, organisations, people, roles, EMA coverage; the users' memberships."""
