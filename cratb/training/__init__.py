"""Training plan, sessions and registrations."""
