"""Charts in printed and word-processor documents.

- :func:`drawing`: a reportlab ``Drawing`` (a flowable: put it in a platypus story) read
  from the chart's SVG by svglib, so the PDF holds vectors and real text, scaled to the
  width asked;
- :meth:`cratb.charts.Chart.png` gives a PNG (2× by default) for DOCX or ODT documents.

Both draw the wide variant: the one a page shows on a screen.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from svglib.svglib import svg2rlg

from cratb.charts.core import Chart

__all__ = ["drawing"]


def drawing(chart: Chart, *, width_mm: float) -> Drawing:
    """The chart as a reportlab drawing ``width_mm`` wide (its height in proportion)."""
    svg = chart.svg("wide")
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    _x, _y, width, height = (float(v) for v in root.get("viewBox", "0 0 1 1").split())
    root.set("width", f"{width}")
    root.set("height", f"{height}")
    # Vega hides the axis labels that would overlap with opacity="0"; svglib would draw
    # them (it ignores opacity on text): leave them out.
    parents = {child: parent for parent in root.iter() for child in parent}
    for element in list(root.iter()):
        if element.get("opacity") == "0" and element in parents:
            parents[element].remove(element)
    # svglib reads fill-opacity and stroke-opacity, not opacity (the intervals' bands).
    for element in root.iter():
        opacity = element.attrib.pop("opacity", None)
        if opacity is not None and opacity != "1":
            element.set("fill-opacity", opacity)
            element.set("stroke-opacity", opacity)
    found = svg2rlg(io.BytesIO(ET.tostring(root)))
    if found is None:
        raise ValueError("svglib could not read the chart's SVG")
    # svglib sizes the drawing in points (1 px = 0.75 pt): scale from its own size.
    scale = width_mm * mm / found.width
    found.width, found.height = found.width * scale, found.height * scale
    found.scale(scale, scale)
    return found
