"""Every chart kind: valid Vega-Lite, inline SVG fit for a strict CSP and screen readers,
readable on a phone, and writing exactly the table's numbers."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date
from importlib import resources
from typing import Any, Literal

import pytest
from jsonschema.exceptions import best_match

from cratb.charts import (
    AreaValue,
    Bar,
    Chart,
    FunnelPoint,
    Limits,
    PlaceValue,
    Point,
    Reference,
    Segment,
    cache,
    choropleth,
    funnel_plot,
    point_map,
    ranked_bars,
    small_multiples,
    stacked_bars,
    time_series,
)
from cratb.charts.render import HATCH

NS = {"svg": "http://www.w3.org/2000/svg"}
#: Values that a truncating formatter and a rounding one write differently (21.55 → 21,6).
IDF = {
    "75": 23.44,
    "77": 21.55,
    "78": 19.04,
    "91": 18.25,
    "92": 20.5,
    "93": 24.96,
    "94": 22.05,
    "95": -0.04,
}
NAMES = {
    "75": "Paris",
    "77": "Seine-et-Marne",
    "78": "Yvelines",
    "91": "Essonne",
    "92": "Hauts-de-Seine",
    "93": "Seine-Saint-Denis",
    "94": "Val-de-Marne",
    "95": "Val-d'Oise",
}


def _ranked(language: str) -> Chart:
    return ranked_bars(
        [Bar(NAMES[c], v, v - 1.05, v + 1.15) for c, v in IDF.items()],
        title="DDJ",
        unit="DDJ/1000 hab./j",
        decimals=1,
        language=language,
        target=Reference(20.05, "Objectif"),
        reference=Reference(21.25, "France"),
        subject="départements",
    )


def _series(language: str) -> Chart:
    values = {2016: 24.15, 2017: 23.85, 2018: 23.55, 2019: 23.35, 2020: 19.65, 2021: 20.45}
    values |= {2022: 23.05, 2023: 22.65, 2024: 22.15}
    points = [Point(y, v, v - 0.85, v + 0.85, "Île-de-France") for y, v in values.items()]
    points += [Point(y, v + 1.25, series="France") for y, v in values.items()]
    return time_series(
        points,
        title="DDJ",
        unit="DDJ/1000 hab./j",
        decimals=1,
        language=language,
        baseline=23.35,
        target=[(2019, 23.35), (2025, 17.55)],
        target_label="Objectif 2025",
    )


def _monthly(language: str) -> Chart:
    points = [Point(date(2024, m, 1), 600 + 13.5 * m) for m in range(1, 13)]
    points += [Point(date(2025, m, 1), 700 - 7.5 * m) for m in range(1, 7)]
    return time_series(
        points, title="Rx", unit="prescriptions", decimals=0, language=language, count=True
    )


def _map(language: str) -> Chart:
    values = [AreaValue(code, value) for code, value in IDF.items() if code != "95"]
    return choropleth(
        values, region="11", title="DDJ", unit="DDJ", decimals=1, language=language, classes=4
    )


PLACES = (
    PlaceValue("CPTS-1", "CPTS Melun", 2.66, 48.54, 21.55),
    PlaceValue("CPTS-2", "CPTS Meaux", 2.88, 48.96, 18.04),
    PlaceValue("CPTS-3", "CPTS Nanterre", 2.2, 48.89, 25.0),
    PlaceValue("CPTS-4", "CPTS Évry", 2.44, 48.63, None, masked=True),
)


def _points(language: str) -> Chart:
    return point_map(
        PLACES, region="11", title="CPTS", unit="%", decimals=1, language=language, classes=3
    )


def test_the_cpts_map_draws_points_over_the_departements_with_shapes_and_values() -> None:
    chart = _points("fr")
    outlines, points, *texts = chart.wide["layer"]
    assert outlines["mark"]["type"] == "geoshape"
    assert {f["properties"]["code"] for f in outlines["data"]["values"]} >= {"75", "77", "92"}
    assert points["mark"]["type"] == "point"
    by_code = {p["code"]: p for p in points["data"]["values"]}
    # Same class limits as a choropleth of the same values; a shape per class.
    klasses = points["encoding"]["shape"]["scale"]["domain"]
    shapes = points["encoding"]["shape"]["scale"]["range"]
    assert len(klasses) == len(shapes) == 4  # two classes, « masqué », « pas de données »
    assert len(set(shapes)) == len(shapes)
    assert by_code["CPTS-1"]["text"] == "21,6"  # rounded half up, like the table
    assert by_code["CPTS-4"]["klass"] == "masqué (moins de 11)" and by_code["CPTS-4"]["text"] == (
        "masqué"
    )
    # The masked point is hatched, the others filled with their class colour.
    fills = dict(zip(klasses, points["encoding"]["fill"]["scale"]["range"], strict=True))
    assert fills["masqué (moins de 11)"] == HATCH
    assert fills[by_code["CPTS-3"]["klass"]].startswith("#")
    assert texts and all(layer["encoding"]["text"] == {"field": "text"} for layer in texts)
    assert sorted(p["text"] for layer in texts for p in layer["data"]["values"]) == [
        "18,0",
        "21,6",
        "25,0",
        "masqué",
    ]
    assert sorted(chart.labels) == ["18,0", "21,6", "25,0"]
    assert "CPTS Évry" in chart.description and "masqué" in chart.key


def _funnel(language: str) -> Chart:
    limits = []
    for n in (20, 50, 100, 200, 400, 800, 1200):
        se = (0.12 * 0.88 / n) ** 0.5 * 100
        limits.append(Limits(n, 12 - 1.96 * se, 12 + 1.96 * se, 12 - 3.09 * se, 12 + 3.09 * se))
    points = [
        FunnelPoint(f"Établissement {i}", 50 + 40 * i, 12 + (i % 5 - 2) * 0.8) for i in range(20)
    ]
    points.append(FunnelPoint("CH de Melun", 400, 19.55))
    return funnel_plot(
        points,
        limits,
        mean=12.05,
        title="F",
        unit="% R",
        size_title="isolats",
        decimals=1,
        language=language,
        clip=(0, 100),
    )


def _multiples(language: str) -> Chart:
    return small_multiples(
        [
            ("Ville", [Bar("E. coli", 31.25), Bar("K. pneumoniae", 12.35)]),
            ("EHPAD", [Bar("E. coli", 40.45), Bar("K. pneumoniae", 22.05)]),
            ("Hôpital", [Bar("E. coli", 28.15, 25.05, 31.45), Bar("K. pneumoniae", 19.95)]),
        ],
        title="% R",
        unit="%",
        decimals=1,
        language=language,
    )


def _stacked(language: str) -> Chart:
    months = ["janv.", "févr.", "mars"]
    series = ["Ville", "EHPAD", "Hôpital"]
    counts = [[12, 3, 5], [1234, 0, 2], [7, 8, 9]]
    segments = [
        Segment(month, name, counts[i][j])
        for i, month in enumerate(months)
        for j, name in enumerate(series)
    ]
    return stacked_bars(
        segments, categories=months, series=series, title="Demandes", unit="demandes",
        language=language,
    )  # fmt: skip


KINDS = {
    "ranked_bars": _ranked,
    "time_series": _series,
    "monthly_series": _monthly,
    "choropleth": _map,
    "point_map": _points,
    "funnel_plot": _funnel,
    "small_multiples": _multiples,
    "stacked_bars": _stacked,
}


@pytest.fixture(scope="module")
def schema_validator() -> Any:
    import jsonschema

    path = resources.files("altair") / "vegalite" / "v6" / "schema" / "vega-lite-schema.json"
    return jsonschema.Draft7Validator(json.loads(path.read_text(encoding="utf-8")))


def _texts(svg: str, *, value_labels: bool) -> list[str]:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    found = []
    for group in root.iter(f"{{{NS['svg']}}}g"):
        css = group.get("class", "")
        if value_labels and "value_labels" not in css:
            continue
        if not value_labels and "role-axis-label" not in css:
            continue
        found += ["".join(t.itertext()) for t in group.iter(f"{{{NS['svg']}}}text")]
    return found


NUMBER = re.compile(r"-?\d{1,3}(?:[\u00a0,]\d{3})*(?:[.,]\d+)?")


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_chart_kind_renders_valid_accessible_svg(
    kind: str, language: str, schema_validator: Any
) -> None:
    chart = KINDS[kind](language)
    variants: tuple[tuple[Literal["wide", "narrow"], dict[str, Any]], ...] = (
        ("wide", chart.wide),
        ("narrow", chart.narrow),
    )
    for variant, spec in variants:
        error = best_match(schema_validator.iter_errors(spec))
        assert error is None, f"{kind} {variant}: {error.message[:300]} at {list(error.path)}"
        svg = chart.svg(variant)
        # A strict CSP refuses style attributes and elements, and scripts.
        assert "style=" not in svg and "<style" not in svg and "<script" not in svg
        root = ET.fromstring(svg)  # noqa: S314 - our own output
        assert root.get("role") == "img"
        title_id, desc_id = root.get("aria-labelledby", "").split()
        assert root.find(f"svg:title[@id='{title_id}']", NS) is not None
        desc = root.find(f"svg:desc[@id='{desc_id}']", NS)
        assert desc is not None and desc.text == chart.description
        assert root.get("width") is None and root.get("viewBox")
        # Text is never drawn below 11 px: the wide variant is shown from a 640 px wide
        # container, the narrow one from 320 px.
        view_width = float(root.get("viewBox", "").split()[2])
        shown_from = 640 if variant == "wide" else 320
        sizes = [float(t.get("font-size", "11px")[:-2]) for t in root.iter(f"{{{NS['svg']}}}text")]
        assert min(sizes) * min(1.0, shown_from / view_width) >= 11, (kind, variant, view_width)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_numbers_written_on_a_chart_are_the_tables_numbers(kind: str, language: str) -> None:
    """Each number beside a mark is the formatter's string of the table's value (rounded,
    not truncated), and the chart writes all of them."""
    chart = KINDS[kind](language)
    assert chart.labels
    for variant in ("wide", "narrow"):
        written = _texts(chart.svg(variant), value_labels=True)
        numbers = [
            n for text in written for n in NUMBER.findall(text) if n not in {"75", "92", "93"}
        ]
        for label in chart.labels:
            assert label in numbers, (kind, variant, label, written)


def test_ranked_bars_round_like_the_table_and_draw_intervals_and_lines() -> None:
    chart = _ranked("fr")
    assert chart.labels[:3] == ("25,0", "23,4", "22,1")  # sorted, highest first
    assert "21,6" in chart.labels  # Seine-et-Marne 21.55: rounded, never truncated to 21,5
    assert "0,0" in chart.labels  # -0.04: never « -0,0 »
    svg = chart.svg()
    assert "Objectif : 20,1" in svg and "France : 21,3" in svg
    assert svg.count('stroke-dasharray="6,4"') + svg.count('stroke-dasharray="6 4"') >= 1
    assert "Seine-et-Marne : 21,6 DDJ/1000 hab./j (IC 95 % : 20,5 – 22,7)" in svg  # tooltip
    assert chart.description.startswith(
        "Classement de 8 départements, en DDJ/1000 hab./j : le plus élevé Seine-Saint-Denis"
        " 25,0 ; le plus bas Val-d'Oise 0,0."
    )
    assert not any(t.startswith("-0") for t in _texts(svg, value_labels=False))


def test_english_charts_use_a_decimal_point_and_english_words() -> None:
    chart = _ranked("en")
    assert "21.6" in chart.labels
    assert chart.description.startswith("Ranking of 8 départements, in DDJ/1000 hab./j")
    assert "no data" in _map("en").svg()


def test_month_axis_and_count_axis() -> None:
    fr = _texts(_monthly("fr").svg(), value_labels=False)
    assert "janv. 2025" in fr
    months = [t for t in fr if re.search("[a-z]", t)]
    assert months and all(re.fullmatch(r"[a-zéû]+\.? \d{4}", t) for t in months), fr
    # A count axis: whole numbers only.
    assert all(re.fullmatch(r"\d+", t) for t in fr if t not in months), fr
    en = _texts(_monthly("en").svg(), value_labels=False)
    assert "Jan 2025" in en


def test_counts_have_integer_ticks_and_thousands_separators() -> None:
    ticks = _texts(_stacked("fr").svg(), value_labels=False)
    numeric = [t for t in ticks if NUMBER.fullmatch(t)]
    assert numeric and all("," not in t for t in numeric)
    assert "1\u00a0236" in _stacked("fr").labels  # 1234 + 0 + 2, grouped as the tables
    assert "1,236" in _stacked("en").labels


def test_map_hatches_departements_without_data_and_writes_class_ranges() -> None:
    chart = _map("fr")
    svg = chart.svg()
    assert "pas de données" in svg and "Val-d'Oise (95) : pas de données" in svg
    assert re.search(r'<pattern id="c[0-9a-f]+-cratb-hatch"', svg)
    assert "url(#c" in svg  # the hatch is referenced under the chart's own prefix
    assert "18,2 à &lt; 20,5" in svg or "18,2 à < 20,5" in svg
    assert "Pas de données : Val-d'Oise." in chart.description


def test_two_charts_on_one_page_never_share_an_id() -> None:
    ids: list[str] = []
    for make in KINDS.values():
        for variant in ("wide", "narrow"):
            root = ET.fromstring(make("fr").svg(variant))  # noqa: S314 - our own output
            ids += [e.get("id", "") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))


def test_labels_are_escaped() -> None:
    chart = ranked_bars(
        [Bar('<script>alert("x")</script>', 1.0)],
        title="<b>t</b>",
        unit="u",
        decimals=1,
        language="fr",
    )
    svg = chart.svg()
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg


def test_rendering_is_cached_by_content(monkeypatch: pytest.MonkeyPatch) -> None:
    from cratb.charts import render

    calls = []
    original = render._vegalite_to_svg

    def counting(spec: dict[str, Any]) -> str:
        calls.append(1)
        return original(spec)

    monkeypatch.setattr(render, "_vegalite_to_svg", counting)
    cache.memory.clear()
    shared: dict[str, Any] = {}

    class Shared:
        def get(self, key: str) -> Any:
            return shared.get(key)

        def set(self, key: str, value: Any) -> None:
            shared[key] = value

    cache.use_shared_cache(Shared())
    try:
        first = _ranked("fr").svg()
        assert _ranked("fr").svg() == first and len(calls) == 1
        assert len(shared) == 1
        cache.memory.clear()  # another worker: the shared cache answers
        assert _ranked("fr").svg() == first and len(calls) == 1
        _ranked("en").svg()  # other content, other key
        assert len(calls) == 2
    finally:
        cache.use_shared_cache(None)


def test_png_for_documents() -> None:
    png = _ranked("fr").png(scale=1.0)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert 700 <= width <= 740


def test_reportlab_drawing_for_pdfs() -> None:
    from reportlab.graphics.shapes import Drawing

    from cratb.charts.printing import drawing

    found = drawing(_ranked("fr"), width_mm=170)
    assert isinstance(found, Drawing)
    assert 170 * 2.83 < found.width < 170 * 2.84


def test_a_funnel_names_only_the_points_farthest_outside_when_asked() -> None:
    limits = []
    for n in (20, 100, 400, 1200):
        se = (0.12 * 0.88 / n) ** 0.5 * 100
        limits.append(Limits(n, 12 - 1.96 * se, 12 + 1.96 * se, 12 - 3.09 * se, 12 + 3.09 * se))
    # All beyond 99.8 %, far enough apart for every name to fit.
    points = [FunnelPoint(f"P{i}", 100 + 250 * i, 18.0 + 3 * i) for i in range(5)]
    chart = funnel_plot(
        points,
        limits,
        mean=12.0,
        title="F",
        unit="%",
        size_title="n",
        decimals=1,
        language="fr",
        max_names=2,
    )
    written = _texts(chart.svg(), value_labels=True)
    assert sorted(t for t in written if t.startswith("P")) == ["P3 : 27,0", "P4 : 30,0"]
    assert sorted(chart.labels) == ["12,0", "27,0", "30,0"]
    assert "P3 : 27,0, P4 : 30,0 et 2 autres" in chart.description


def test_a_funnel_leaves_out_a_name_that_would_cover_another() -> None:
    """Two points beyond the limits side by side: the farther one's name is written, the
    other's would sit on it and is left out of the drawing (its diamond stays, and the
    description still names it)."""
    limits = []
    for n in (20, 100, 400, 1200):
        se = (0.12 * 0.88 / n) ** 0.5 * 100
        limits.append(Limits(n, 12 - 1.96 * se, 12 + 1.96 * se, 12 - 3.09 * se, 12 + 3.09 * se))
    points = [FunnelPoint("Près", 400, 21.0), FunnelPoint("Loin", 410, 21.5)]
    chart = funnel_plot(
        points, limits, mean=12.0, title="F", unit="%", size_title="n", decimals=1, language="fr"
    )
    for variant in ("wide", "narrow"):
        written = _texts(chart.svg(variant), value_labels=True)
        assert [t for t in written if " : " in t] == ["Loin : 21,5"]
    assert sorted(chart.labels) == ["12,0", "21,5"]
    assert "Près : 21,0" in chart.description and "Loin : 21,5" in chart.description


def test_labels_vega_hides_are_not_printed() -> None:
    """Vega hides overlapping axis labels (opacity 0); the PDF drawing leaves them out."""
    from reportlab.graphics.shapes import Group, String

    from cratb.charts import Segment, stacked_bars
    from cratb.charts.printing import drawing

    months = [f"mois numéro {i} de 2025" for i in range(12)]
    chart = stacked_bars(
        [Segment(m, "A", 10 + i) for i, m in enumerate(months)],
        categories=months,
        series=["A"],
        title="Demandes",
        unit="demandes",
        language="fr",
    )
    svg = chart.svg("wide")
    hidden = [m for m in months if f'opacity="0">{m}</text>' in svg]
    assert hidden  # the SVG hides some of them

    def strings(node: object) -> list[str]:
        if isinstance(node, String):
            return [node.text]
        if isinstance(node, Group):
            return [t for child in node.contents for t in strings(child)]
        return []

    printed = strings(drawing(chart, width_mm=170))
    assert not set(hidden) & set(printed)
    assert set(months) - set(hidden) <= set(printed)
