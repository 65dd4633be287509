"""EMA yearly plans and reports, regional synthesis, network activity log."""
