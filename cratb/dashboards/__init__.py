"""Indicators published from the engine: dashboards, charts, maps, exports."""
