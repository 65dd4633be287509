"""Charts drawn on the server from Vega-Lite specifications: one definition for the web
pages (inline SVG), printed documents (reportlab) and word-processor documents (PNG).

Pure Python: no Django, nothing of the web apps nor of the engine (import-linter
contracts), so the engine's exports and the web's views can both use it.
See docs/charts.md.
"""

from cratb.charts.bars import Bar, Reference, Segment, ranked_bars, small_multiples, stacked_bars
from cratb.charts.cache import use_shared_cache
from cratb.charts.core import Chart
from cratb.charts.funnel import FunnelPoint, Limits, funnel_plot
from cratb.charts.maps import AreaValue, PlaceValue, choropleth, point_map
from cratb.charts.render import RenderError, warm_up
from cratb.charts.series import Point, time_series

__all__ = [
    "AreaValue",
    "Bar",
    "Chart",
    "FunnelPoint",
    "Limits",
    "PlaceValue",
    "Point",
    "Reference",
    "RenderError",
    "Segment",
    "choropleth",
    "funnel_plot",
    "point_map",
    "ranked_bars",
    "small_multiples",
    "stacked_bars",
    "time_series",
    "use_shared_cache",
    "warm_up",
]
