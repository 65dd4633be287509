"""Users, roles and memberships."""
