"""Users and their roles, the access declarations of every view, the menu, log-in pages."""
