"""EMA yearly plans and reports, regional annual report."""
