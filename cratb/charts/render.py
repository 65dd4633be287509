"""Vega-Lite specifications rendered to inline SVG and PNG on the server.

vl-convert runs Vega-Lite and Vega in an embedded JavaScript runtime (no browser, no
network: data is always inline and no base URL is allowed). Its SVG is then made fit for
inlining in a page served under a strict Content-Security-Policy and for screen readers:

- the root ``<svg>`` gets ``role="img"``, a ``<title>`` and a ``<desc>`` (the text
  alternative) and keeps its ``viewBox`` without a fixed width, so CSS scales it;
- every ``id`` (clip paths, patterns) is prefixed with the chart's own key, so two charts
  on one page never share one;
- a mark's description (the pre-formatted tooltip, Vega's ``aria-label``) becomes its
  ``<title>``, which browsers show on hover with no script; Vega's other ARIA attributes
  are removed (the chart is one image for assistive technology, its table gives details);
- ``style="…"`` attributes, if any, become presentation attributes (a CSP without
  ``'unsafe-inline'`` for styles blocks ``style`` attributes; vl-convert 1.9 emits none for
  the charts of this package, a test keeps it so);
- fills named ``url(#cratb-hatch)`` get the hatch pattern they refer to.
"""

from __future__ import annotations

import functools
import re
import threading
import time
import xml.etree.ElementTree as ET
from importlib.metadata import version
from typing import Any

import vl_convert

from cratb.charts.cache import cached, content_key

__all__ = [
    "HATCH",
    "RenderError",
    "render_png",
    "render_svg",
    "renderer_version",
    "warm_up",
]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

#: The Vega-Lite version the specifications are written for (bundled by vl-convert).
VEGA_LITE = "6.4"
#: Changes whenever the post-processing below changes what it writes.
_POSTPROCESS_VERSION = 3
#: A fill value that stands for the « no data » hatching (a pattern added after rendering).
HATCH = "url(#cratb-hatch)"

_lock = threading.Lock()
_ARIA = ("role", "aria-label", "aria-roledescription", "aria-hidden", "aria-describedby")


class RenderError(Exception):
    """A specification the renderer refused (a programming error, never user input)."""


@functools.cache
def renderer_version() -> str:
    return (
        f"vl-convert {version('vl-convert-python')} vega-lite {VEGA_LITE} pp{_POSTPROCESS_VERSION}"
    )


def _vegalite_to_svg(spec: dict[str, Any]) -> str:
    try:
        return vl_convert.vegalite_to_svg(
            spec, vl_version=VEGA_LITE, allowed_base_urls=[], show_warnings=False
        )
    except ValueError as error:
        raise RenderError(f"Vega-Lite refused the chart: {error}") from error


def _style_to_attributes(element: ET.Element) -> None:
    style = element.attrib.pop("style", None)
    if not style:
        return
    for declaration in style.split(";"):
        name, _, value = declaration.partition(":")
        if name.strip() and value.strip():
            element.set(name.strip(), value.strip())


def _hatch_pattern(prefix: str) -> ET.Element:
    pattern = ET.Element(
        f"{{{SVG_NS}}}pattern",
        {
            "id": f"{prefix}cratb-hatch",
            "patternUnits": "userSpaceOnUse",
            "width": "6",
            "height": "6",
            "patternTransform": "rotate(45)",
        },
    )
    ET.SubElement(pattern, f"{{{SVG_NS}}}rect", {"width": "6", "height": "6", "fill": "#ffffff"})
    ET.SubElement(
        pattern,
        f"{{{SVG_NS}}}line",
        {"x1": "0", "y1": "0", "x2": "0", "y2": "6", "stroke": "#6b7785", "stroke-width": "2"},
    )
    return pattern


_URL_REF = re.compile(r"url\(#([^)]+)\)")


def postprocess(svg: str, *, title: str, description: str, prefix: str, css_class: str) -> str:
    """vl-convert's SVG made fit to inline (see the module's docstring)."""
    root = ET.fromstring(svg)  # noqa: S314 - vl-convert's output, not user input
    for attribute in ("width", "height", "class"):
        root.attrib.pop(attribute, None)
    root.set("class", css_class)
    root.set("role", "img")
    root.set("aria-labelledby", f"{prefix}t {prefix}d")
    root.set("focusable", "false")
    uses_hatch = False
    parents = {child: parent for parent in root.iter() for child in parent}
    for element in list(root.iter()):
        _style_to_attributes(element)
        label = element.attrib.get("aria-label")
        if element is not root:
            for attribute in _ARIA:
                element.attrib.pop(attribute, None)
        if label is not None and element is not root and element.tag != f"{{{SVG_NS}}}g":
            tip = ET.Element(f"{{{SVG_NS}}}title")
            tip.text = label
            element.insert(0, tip)
        if element.get("id"):
            element.set("id", prefix + element.get("id", ""))
        for name, value in list(element.attrib.items()):
            if "url(#" in value:
                uses_hatch = uses_hatch or "cratb-hatch" in value
                element.set(name, _URL_REF.sub(lambda m: f"url(#{prefix}{m.group(1)})", value))
            elif name in ("href", f"{{{XLINK_NS}}}href") and value.startswith("#"):
                element.set(name, "#" + prefix + value[1:])
        # Vega's white background rectangle: the page's own background shows instead.
        if (
            element.tag == f"{{{SVG_NS}}}rect"
            and element.get("fill") == "white"
            and parents.get(element) is root
        ):
            root.remove(element)
    title_element = ET.Element(f"{{{SVG_NS}}}title", {"id": f"{prefix}t"})
    title_element.text = title
    desc_element = ET.Element(f"{{{SVG_NS}}}desc", {"id": f"{prefix}d"})
    desc_element.text = description
    root.insert(0, desc_element)
    root.insert(0, title_element)
    if uses_hatch:
        defs = ET.Element(f"{{{SVG_NS}}}defs")
        defs.append(_hatch_pattern(prefix))
        root.insert(2, defs)
    return ET.tostring(root, encoding="unicode", short_empty_elements=True)


def render_svg(
    spec: dict[str, Any], *, title: str, description: str, css_class: str = "chart"
) -> str:
    """The inline SVG of ``spec`` (kept in the caches under its content)."""
    key = content_key("svg", renderer_version(), spec, title, description, css_class)
    prefix = f"c{key[:10]}-"

    def make() -> str:
        with _lock:
            raw = _vegalite_to_svg(spec)
        return postprocess(
            raw, title=title, description=description, prefix=prefix, css_class=css_class
        )

    result: str = cached(key, make)
    return result


def render_png(spec: dict[str, Any], *, title: str, description: str, scale: float = 2.0) -> bytes:
    """A PNG of ``spec`` (for documents): the post-processed SVG rasterised, so it shows
    exactly what the page shows (hatching included)."""
    svg = render_svg(spec, title=title, description=description)
    key = content_key("png", renderer_version(), spec, title, description, scale)

    def make() -> bytes:
        with _lock:
            png: bytes = vl_convert.svg_to_png(_sized(svg), scale=scale)
        return png

    result: bytes = cached(key, make)
    return result


def _sized(svg: str) -> str:
    """The SVG with a width and height equal to its viewBox (rasterisers need a size)."""
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    _x, _y, width, height = root.get("viewBox", "0 0 0 0").split()
    root.set("width", width)
    root.set("height", height)
    # Paper is white (the page's own background shows through on screen).
    root.insert(
        0, ET.Element(f"{{{SVG_NS}}}rect", {"width": "100%", "height": "100%", "fill": "#ffffff"})
    )
    return ET.tostring(root, encoding="unicode")


def warm_up() -> float:
    """Start the renderer's JavaScript runtime now (about 1 s) rather than on the first
    page that draws a chart; returns the seconds it took."""
    started = time.perf_counter()
    with _lock:
        _vegalite_to_svg(
            {"data": {"values": [{"x": 1}]}, "mark": "point", "encoding": {"x": {"field": "x"}}}
        )
    return time.perf_counter() - started
