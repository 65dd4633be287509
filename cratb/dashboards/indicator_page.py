"""One page per indicator: the headline figure and the sections (map, trend, ranking,
funnel, settings), each a chart of ``cratb.charts`` with the table of the same values.

The page is built from the published values the user may read (``IndicatorValue``),
for a year and a ranked level chosen in the URL (``?annee=2025&niveau=departement``).
Every number the page writes, in its tables and on its charts, is the string of
``cratb.charts.numbers.format_number`` with the same decimals (:data:`DECIMALS`).

Other modules add sections through :mod:`cratb.dashboards.sections`.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from cratb.charts import (
    AreaValue,
    Bar,
    FunnelPoint,
    Limits,
    PlaceValue,
    Point,
    Reference,
    choropleth,
    funnel_plot,
    point_map,
    ranked_bars,
    small_multiples,
    time_series,
)
from cratb.charts.numbers import format_month, format_number, format_range
from cratb.dashboards.labels import specialty_label
from cratb.dashboards.sections import (
    NationalFigure,
    PageContext,
    Section,
    national_figures,
    sections_for,
)
from cratb.engine import dimensions, reference
from cratb.engine.antibiogram import SETTING_LABELS
from cratb.engine.indicators import Indicator, Target
from cratb.engine.reference import expected
from cratb.engine.stats import Z95, Z998, funnel_limit

__all__ = [
    "DECIMALS",
    "FUNNEL_LEVELS",
    "Headline",
    "IndicatorPage",
    "PageRequest",
    "build_page",
    "normalise",
]

DECIMALS = 1
MAX_BARS = 40
#: Points of a funnel plot named on it (the farthest beyond their limits).
MAX_FUNNEL_NAMES = 8
#: Levels drawn as a funnel plot (units with a size): establishments, prescribers, labs.
FUNNEL_LEVELS = ("finess", "prescriber_id", "lab_id")
#: Levels whose values the pages name from the directory (``unit_names``): an
#: establishment, a CPTS, a GHT.
NAMED_UNITS = ("finess", "cpts", "ght")
#: Levels that name one person: only the coordination reads them (the queryset's
#: ``visible_to`` already leaves them out for the other roles).
INDIVIDUAL_LEVELS = frozenset({"prescriber_id"})
#: Columns that are not a level of the page: time, and the columns that say which series
#: of the indicator a row belongs to (chosen in the URL, e.g. organism × antibiotic).
TIME = frozenset({"year", "month"})
BASELINE_YEAR = 2019
COVID_YEARS = (2020, 2021)


@dataclass(frozen=True)
class PageRequest:
    """The page's filters, as read from the URL (raw strings)."""

    year: str = ""
    level: str = ""
    series: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Headline:
    value: str  # formatted
    interval: str
    period: str
    complete: bool
    previous: str
    previous_period: str
    trend: str  # "up", "down", "flat", ""
    trend_text: str
    trend_good: bool | None
    target: Target | None
    target_met: bool | None
    target_text: str
    national: NationalFigure | None
    national_text: str
    numerator: str
    denominator: str


@dataclass
class IndicatorPage:
    indicator: Indicator
    title: str
    unit: str
    years: list[int]
    year: int | None
    level: str
    levels: list[tuple[str, str]]
    series_choices: list[tuple[str, str, list[tuple[str, str]], str]]
    messages: list[str]
    headline: Headline | None
    sections: list[Section]
    empty: bool


def _english(language: str) -> bool:
    return language.lower().startswith("en")


def normalise(row: dict[str, Any], series_columns: Iterable[str]) -> str:
    """The level of a published row: its grouping without time and series columns
    (« » for the region, « departement », « month », « month,departement », « setting »…)."""
    drop = TIME | set(series_columns)
    columns = [c for c in row["grouping"].split(",") if c and c not in drop]
    if "month" in row["grouping"].split(","):
        columns.insert(0, "month")
    return ",".join(columns)


def series_columns(indicator: Indicator) -> list[str]:
    """Columns every row of the indicator is split by, besides time, place and the
    prescriber: e.g. organism and antibiotic for % resistant."""
    skip = TIME | {"departement", "region", "prescriber_id", "prescriber_specialty"}
    return [c for c in indicator.always_by if c not in skip]


def departement_label(code: str) -> str:
    try:
        return f"{reference.departement(code).name} ({code})"
    except reference.ReferenceError:
        return code


def value_label(column: str, value: Any, language: str) -> str:
    """What the page calls one value of a level."""
    text = "" if value is None else str(value)
    if column == "departement":
        return departement_label(text)
    if column == "setting":
        label = SETTING_LABELS.get(text)
        return _(label) if label else text
    if column == "sector":
        label = dimensions.SECTOR_LABELS.get(text)
        return _(label) if label else text
    if column == "prescriber_specialty":
        return specialty_label(text)
    if column == "month" and len(text) == 7:
        return format_month(date(int(text[:4]), int(text[5:]), 1), language=language)
    return text


def _fmt(value: float | None, language: str, decimals: int = DECIMALS) -> str:
    return format_number(value, decimals=decimals, language=language)


def _range(row: dict[str, Any], language: str) -> str:
    return format_range(row["ci_low"], row["ci_high"], decimals=DECIMALS, language=language)


def _target_for(indicator: Indicator, year: int | None) -> Target | None:
    for target in indicator.targets:
        if target.year is None or year is None or target.year >= year:
            return target
    return indicator.targets[-1] if indicator.targets else None


def _complete_years(rows: Sequence[dict[str, Any]]) -> set[int]:
    months: dict[int, set[str]] = defaultdict(set)
    for row in rows:
        if row["_level"] == "month" and row["month"] and row["value"] is not None:
            months[int(row["month"][:4])].add(row["month"])
    return {year for year, seen in months.items() if len(seen) == 12}


class _Builder:
    def __init__(
        self,
        indicator: Indicator,
        rows: list[dict[str, Any]],
        request: PageRequest,
        *,
        language: str,
        region: str,
        may_read_individuals: bool,
        unit_names: dict[str, str] | None = None,
        unit_places: dict[str, tuple[float, float]] | None = None,
    ) -> None:
        self.indicator = indicator
        #: (longitude, latitude) of the CPTS the directory knows, for the map by CPTS.
        self.unit_places = unit_places or {}
        #: « Name (FINESS) » for the establishments the directory knows.
        self.unit_names = unit_names or {}
        self.language = language
        self.region = region
        self.english = _english(language)
        self.title = indicator.title_en if self.english else indicator.title_fr
        self.unit = indicator.unit_en if self.english else indicator.unit
        self.messages: list[str] = []
        #: A proportion's denominator is a count; a rate's may be a fraction (thousands
        #: of inhabitants or of patient-days).
        self.denominator_decimals = 0 if indicator.proportion else DECIMALS
        self.may_read_individuals = may_read_individuals
        self.series_cols = series_columns(indicator)
        for row in rows:
            row["_level"] = normalise(row, self.series_cols)
        rows = self._without_expected_resistance(rows, request)
        self.all_rows = rows
        self.series = self._choose_series(request)
        self.rows = [
            r
            for r in rows
            if all(str(r["dimensions"].get(c, "")) == v for c, v in self.series.items())
        ]
        self.years: list[int] = sorted({int(r["year"]) for r in self.rows if r["year"] is not None})
        self.year = self._choose_year(request.year)
        self.levels = self._levels()
        self.level = self._choose_level(request.level)

    # --- filters ------------------------------------------------------------------------

    def _without_expected_resistance(
        self, rows: list[dict[str, Any]], request: PageRequest
    ) -> list[dict[str, Any]]:
        """An expected resistant phenotype (EUCAST, e.g. K. pneumoniae × amoxicillin) has
        no measured rate: its rows are never offered nor drawn, and asking for one in the
        URL says why (issue #14 point 3)."""
        if not {"organism", "antibiotic"} <= set(self.series_cols):
            return rows
        wanted = (request.series.get("organism", ""), request.series.get("antibiotic", ""))
        if all(wanted) and expected.is_expected_resistant(*wanted):
            self.messages.append(
                _(
                    "%(organism)s × %(antibiotic)s est une résistance naturelle (phénotype de "
                    "résistance attendu, EUCAST) : aucun taux mesuré n'est affiché."
                )
                % {"organism": wanted[0], "antibiotic": wanted[1]}
            )
        return [
            r
            for r in rows
            if not expected.is_expected_resistant(
                str(r["dimensions"].get("organism", "")),
                str(r["dimensions"].get("antibiotic", "")),
            )
        ]

    def _choose_series(self, request: PageRequest) -> dict[str, str]:
        chosen: dict[str, str] = {}
        self.series_choices: list[tuple[str, str, list[tuple[str, str]], str]] = []
        rows = self.all_rows
        for column in self.series_cols:
            counts: dict[str, float] = defaultdict(float)
            for r in rows:
                counts[str(r["dimensions"].get(column, ""))] += r["denominator"] or 0.0
            options = sorted(counts, key=lambda v: (-counts[v], v))
            wanted = request.series.get(column, "")
            if wanted and wanted not in counts:
                self.messages.append(
                    _(
                        "« %(value)s » n'a pas de valeur publiée pour %(column)s : "
                        "%(shown)s est affiché."
                    )
                    % {
                        "value": wanted,
                        "column": dimensions.column_label(column, language=self.language),
                        "shown": options[0] if options else "—",
                    }
                )
                wanted = ""
            value = wanted or (options[0] if options else "")
            chosen[column] = value
            rows = [r for r in rows if str(r["dimensions"].get(column, "")) == value]
            label = dimensions.column_label(column, language=self.language)
            self.series_choices.append((column, label, [(o, o) for o in sorted(counts)], value))
        return chosen

    def _choose_year(self, wanted: str) -> int | None:
        if not self.years:
            return None
        complete = _complete_years(self.rows)
        has_months = any(r["_level"] == "month" for r in self.rows)
        default: int = max(
            (y for y in self.years if y in complete or not has_months), default=self.years[-1]
        )
        if not wanted:
            return default
        if not wanted.strip().isdigit():
            self.messages.append(
                _("« %(value)s » n'est pas une année (attendu : 2025) : %(shown)s est affichée.")
                % {"value": wanted[:20], "shown": default}
            )
            return default
        year = int(wanted)
        if year not in self.years:
            self.messages.append(
                _(
                    "Aucune valeur publiée en %(year)s pour cet indicateur (années publiées : "
                    "%(years)s) : %(shown)s est affichée."
                )
                % {"year": year, "years": ", ".join(map(str, self.years)), "shown": default}
            )
            return default
        return year

    def _levels(self) -> list[tuple[str, str]]:
        seen = []
        for row in self.rows:
            level = row["_level"]
            if (
                row["year"] == self.year
                and level
                and "," not in level
                and level != "month"
                and level not in seen
                and (level not in INDIVIDUAL_LEVELS or self.may_read_individuals)
            ):
                seen.append(level)
        order = ["departement", "setting", "finess", "lab_id", "prescriber_specialty"]
        seen.sort(key=lambda c: (order.index(c) if c in order else len(order), c))
        return [(c, dimensions.column_label(c, language=self.language)) for c in seen]

    def _choose_level(self, wanted: str) -> str:
        codes = [c for c, _label in self.levels]
        default = codes[0] if codes else ""
        if not wanted:
            return default
        if wanted not in codes:
            if codes:
                names = ", ".join(f"« {c} » ({label})" for c, label in self.levels)
                self.messages.append(
                    _(
                        "Le niveau « %(value)s » n'existe pas pour cet indicateur en %(year)s ; "
                        "niveaux possibles : %(levels)s."
                    )
                    % {"value": wanted[:40], "year": self.year, "levels": names}
                )
            else:
                self.messages.append(
                    _("Cet indicateur n'est publié pour aucun niveau en %(year)s.")
                    % {"year": self.year}
                )
            return default
        return wanted

    # --- rows -----------------------------------------------------------------------------

    def of(
        self, level: str, *, year: int | None = None, every_year: bool = False
    ) -> list[dict[str, Any]]:
        return [
            r
            for r in self.rows
            if r["_level"] == level and (every_year or r["year"] == (year or self.year))
        ]

    def regional(self, year: int | None) -> dict[str, Any] | None:
        return next((r for r in self.of("", year=year) if year is not None), None)

    def label(self, row: dict[str, Any], column: str) -> str:
        if column == "departement":
            return departement_label(row["departement"])
        if column == "month":
            return value_label("month", row["month"], self.language)
        text = value_label(column, row["dimensions"].get(column, ""), self.language)
        return self.unit_names.get(text, text) if column in NAMED_UNITS else text

    # --- headline ---------------------------------------------------------------------------

    def headline(self) -> Headline | None:
        current = self.regional(self.year)
        if current is None or self.year is None:
            return None
        previous_year = max((y for y in self.years if y < self.year), default=None)
        previous = self.regional(previous_year) if previous_year else None
        value, before = current["value"], previous["value"] if previous else None
        trend, trend_text, good = "", "", None
        if value is not None and before is not None:
            shown_now, shown_before = _fmt(value, "en"), _fmt(before, "en")
            if shown_now == shown_before:
                trend, trend_text = "flat", _("stable depuis %(year)s") % {"year": previous_year}
            elif value > before:
                trend, trend_text = "up", _("en hausse depuis %(year)s") % {"year": previous_year}
            else:
                trend, trend_text = "down", _("en baisse depuis %(year)s") % {"year": previous_year}
            if trend != "flat" and self.indicator.lower_is_better is not None:
                good = (trend == "down") == self.indicator.lower_is_better
        target = _target_for(self.indicator, self.year)
        met = target.met(value) if target is not None and value is not None else None
        context = self.context(value)
        national = national_figures(context)
        complete = self.year in _complete_years(self.rows) or not any(
            r["_level"] == "month" for r in self.rows
        )
        months = sorted(r["month"] for r in self.of("month") if r["value"] is not None)
        period = str(self.year)
        if not complete and months:
            period = _("%(first)s à %(last)s (année incomplète)") % {
                "first": value_label("month", months[0], self.language),
                "last": value_label("month", months[-1], self.language),
            }
        target_text = ""
        if target is not None:
            target_text = target.label
            if self.english:  # the catalogue's labels are French
                target_text = f"{target.comparison} {_fmt(target.value, self.language)}"
                if target.year:
                    target_text += f" ({target.year})"
        return Headline(
            value=_fmt(value, self.language),
            target_text=target_text,
            interval=_range(current, self.language),
            period=period,
            complete=complete,
            previous=_fmt(before, self.language) if previous else "",
            previous_period=str(previous_year or ""),
            trend=trend,
            trend_text=trend_text,
            trend_good=good,
            target=target,
            target_met=met,
            national=national,
            national_text=_fmt(national.value, self.language) if national else "",
            numerator=_fmt(current["numerator"], self.language, 0),
            denominator=_fmt(current["denominator"], self.language, self.denominator_decimals),
        )

    def context(self, regional_value: float | None) -> PageContext:
        return PageContext(
            indicator=self.indicator,
            year=self.year,
            level=self.level,
            language=self.language,
            region=self.region,
            values=tuple(self.rows),
            regional_value=regional_value,
        )

    # --- sections ---------------------------------------------------------------------------

    def _table(
        self, rows: Sequence[dict[str, Any]], first: str, labels: Sequence[str]
    ) -> tuple[list[str], list[list[str]], frozenset[int]]:
        columns = [first, _("Valeur"), _("IC 95 %"), _("Numérateur"), _("Dénominateur")]
        body = [
            [
                label,
                _fmt(r["value"], self.language),
                _range(r, self.language),
                _fmt(r["numerator"], self.language, 0),
                _fmt(r["denominator"], self.language, self.denominator_decimals),
            ]
            for label, r in zip(labels, rows, strict=True)
        ]
        return columns, body, frozenset({1, 2, 3, 4})

    def unit_map_section(self, column: str) -> Section | None:
        """The CPTS (issue #14 point 1) or the GHT as points over the départements, when the
        chosen level is theirs and the directory places them: a CPTS at the centre of its
        communes, a GHT at the centre of its establishments."""
        rows = [
            r for r in self.of(column) if str(r["dimensions"].get(column, "")) in self.unit_places
        ]
        if not rows:
            return None
        rows.sort(key=lambda r: self.label(r, column))
        names = [self.label(r, column) for r in rows]
        places = []
        for name, r in zip(names, rows, strict=True):
            lon, lat = self.unit_places[str(r["dimensions"][column])]
            places.append(
                PlaceValue(
                    code=str(r["dimensions"][column]),
                    name=name,
                    lon=lon,
                    lat=lat,
                    value=r["value"],
                    masked=r["value"] is None,
                )
            )
        if column == "ght":
            title = _("%(title)s par GHT, %(year)s")
            key: str | None = _(
                "chaque GHT est un point au centre de ses établissements (pondéré par leurs"
                " lits), sa valeur écrite à côté ; une forme par classe ; traits gris :"
                " départements"
            )
            heading, first = _("Carte par GHT"), _("GHT")
        else:
            title, key = _("%(title)s par CPTS, %(year)s"), None
            heading, first = _("Carte par CPTS"), _("CPTS")
        chart = point_map(
            places,
            region=self.region,
            title=title % {"title": self.title, "year": self.year},
            unit=self.unit,
            decimals=DECIMALS,
            language=self.language,
            key=key,
        )
        columns, body, numeric = self._table(rows, first, names)
        for cells, r in zip(body, rows, strict=True):
            if r["value"] is None:
                cells[1] = _("masqué (moins de 11)")
        return Section(
            slug="carte",
            title=heading,
            chart=chart,
            columns=columns,
            rows=body,
            numeric=numeric,
            order=10,
        )

    def map_section(self) -> Section | None:
        if self.level in ("cpts", "ght"):
            found = self.unit_map_section(self.level)
            if found is not None:
                return found
        rows = [r for r in self.of("departement") if r["departement"]]
        if not rows:
            return None
        rows.sort(key=lambda r: r["departement"])
        chart = choropleth(
            [AreaValue(r["departement"], r["value"]) for r in rows],
            region=self.region,
            title=_("%(title)s par département, %(year)s")
            % {"title": self.title, "year": self.year},
            unit=self.unit,
            decimals=DECIMALS,
            language=self.language,
        )
        columns, body, numeric = self._table(
            rows, _("Département"), [departement_label(r["departement"]) for r in rows]
        )
        return Section(
            slug="carte",
            title=_("Carte par département"),
            chart=chart,
            columns=columns,
            rows=body,
            numeric=numeric,
            order=10,
        )

    def trend_section(self) -> Section | None:
        rows = sorted(
            (r for r in self.of("", every_year=True) if r["year"] is not None),
            key=lambda r: r["year"],
        )
        if not rows:
            return None
        points = [Point(r["year"], r["value"], r["ci_low"], r["ci_high"], self.title) for r in rows]
        baseline_row = next((r for r in rows if r["year"] == BASELINE_YEAR), None)
        baseline = baseline_row["value"] if baseline_row else None
        target = _target_for(self.indicator, self.year)
        trajectory: list[tuple[int | date, float]] = []
        if target is not None:
            first, last = rows[0]["year"], rows[-1]["year"]
            end = target.year or last
            if baseline is not None and target.year and target.year > BASELINE_YEAR:
                trajectory = [(BASELINE_YEAR, baseline), (target.year, target.value)]
            else:
                trajectory = [(min(first, end), target.value), (max(last, end), target.value)]
        chart = time_series(
            points,
            title=_("%(title)s, région, par année") % {"title": self.title},
            unit=self.unit,
            decimals=DECIMALS,
            language=self.language,
            baseline=baseline,
            target=trajectory,
            target_label=_("Objectif") if target else "",
        )
        columns, body, numeric = self._table(rows, _("Année"), [str(r["year"]) for r in rows])
        note = ""
        years = [r["year"] for r in rows]
        if len(years) > 1 and any(b - a > 1 for a, b in itertools.pairwise(years)):
            note = _(
                "La ligne relie les années publiées : les années entre elles n'ont pas de "
                "valeur publiée."
            )
        return Section(
            slug="evolution",
            title=_("Évolution depuis %(year)s") % {"year": rows[0]["year"]},
            chart=chart,
            columns=columns,
            rows=body,
            numeric=numeric,
            note=note,
            order=20,
        )

    def monthly_section(self) -> Section | None:
        rows = sorted((r for r in self.of("month") if r["month"]), key=lambda r: r["month"])
        if len(rows) < 2:
            return None
        points = [
            Point(
                date(int(r["month"][:4]), int(r["month"][5:]), 1),
                r["value"],
                r["ci_low"],
                r["ci_high"],
                self.title,
            )
            for r in rows
        ]
        chart = time_series(
            points,
            title=_("%(title)s, région, par mois, %(year)s")
            % {"title": self.title, "year": self.year},
            unit=self.unit,
            decimals=DECIMALS,
            language=self.language,
            covid=self.year in COVID_YEARS,
        )
        columns, body, numeric = self._table(
            rows, _("Mois"), [value_label("month", r["month"], self.language) for r in rows]
        )
        return Section(
            slug="mois",
            title=_("Évolution mensuelle en %(year)s") % {"year": self.year},
            chart=chart,
            columns=columns,
            rows=body,
            numeric=numeric,
            order=25,
        )

    def ranking_section(self) -> Section | None:
        level = self.level
        if not level or (level in FUNNEL_LEVELS and len(self.of(level)) > MAX_BARS):
            return None
        rows = [r for r in self.of(level) if r["value"] is not None]
        if not rows:
            return None
        rows.sort(key=lambda r: -(r["value"] or 0.0))
        shown = rows[:MAX_BARS]
        labels = [self.label(r, level) for r in shown]
        target = _target_for(self.indicator, self.year)
        regional = self.regional(self.year)
        level_name = dimensions.column_label(level, language=self.language)
        chart = ranked_bars(
            [
                Bar(label, r["value"], r["ci_low"], r["ci_high"])
                for label, r in zip(labels, shown, strict=True)
            ],
            title=_("%(title)s par %(level)s, %(year)s")
            % {"title": self.title, "level": level_name, "year": self.year},
            unit=self.unit,
            decimals=DECIMALS,
            language=self.language,
            target=Reference(target.value, _("Objectif")) if target else None,
            reference=Reference(regional["value"], _("Région"))
            if regional and regional["value"] is not None
            else None,
            subject=level_name,
        )
        columns, body, numeric = self._table(shown, level_name.capitalize(), labels)
        note = ""
        if len(rows) > MAX_BARS:
            note = _("Les %(n)s valeurs les plus élevées sur %(total)s.") % {
                "n": MAX_BARS,
                "total": len(rows),
            }
        return Section(
            slug="classement",
            title=_("Classement par %(level)s") % {"level": level_name},
            chart=chart,
            columns=columns,
            rows=body,
            numeric=numeric,
            note=note,
            order=30,
        )

    def funnel_sections(self) -> list[Section]:
        out = []
        for row_level in sorted({r["_level"] for r in self.rows if r["year"] == self.year}):
            columns = row_level.split(",")
            unit_column = next((c for c in FUNNEL_LEVELS if c in columns), None)
            if unit_column is None or "month" in columns:
                continue
            # One funnel per unit: an establishment × class or × sector level would put
            # unlike rows in one funnel, under the same title and anchor.
            if set(columns) - {unit_column, "prescriber_specialty"}:
                continue
            if unit_column in INDIVIDUAL_LEVELS and not self.may_read_individuals:
                continue
            section = self._funnel(row_level, unit_column)
            if section is not None:
                out.append(section)
        return out

    def _funnel(self, level: str, unit_column: str) -> Section | None:
        rows = [
            r
            for r in self.of(level)
            if r["value"] is not None and r["denominator"] and r["numerator"] is not None
        ]
        if len(rows) < 2:
            return None
        total_num = sum(r["numerator"] for r in rows)
        total_den = sum(r["denominator"] for r in rows)
        if total_den <= 0:
            return None
        # The scale between numerator/denominator and the value (100 for %, 1000 for
        # « per 1000 days »), from the rows themselves.
        scales = [r["value"] / (r["numerator"] / r["denominator"]) for r in rows if r["numerator"]]
        if not scales:
            return None
        scale = sorted(scales)[len(scales) // 2]
        mean = total_num / total_den * scale
        sizes = [r["denominator"] for r in rows]
        low, high = min(sizes), max(sizes)
        steps = 40
        grid = [low * 0.8 * ((high * 1.2) / (low * 0.8)) ** (i / steps) for i in range(steps + 1)]
        limits = []
        for n in grid:
            if self.indicator.proportion:
                p0 = mean / 100.0
                l95, l998 = funnel_limit(p0, n, z=Z95), funnel_limit(p0, n, z=Z998)
                if l95 is None or l998 is None:
                    continue
                limits.append(Limits(n, l95[0] * 100, l95[1] * 100, l998[0] * 100, l998[1] * 100))
            else:
                # A rate: Poisson variance of the numerator, on the value's scale.
                half95 = Z95 * math.sqrt(mean * scale / n)
                half998 = Z998 * math.sqrt(mean * scale / n)
                limits.append(
                    Limits(
                        n,
                        max(mean - half95, 0.0),
                        mean + half95,
                        max(mean - half998, 0.0),
                        mean + half998,
                    )
                )

        def name(r: dict[str, Any]) -> str:
            text = str(r["dimensions"].get(unit_column, ""))
            if unit_column == "finess":
                return self.unit_names.get(text, text)
            specialty = r["dimensions"].get("prescriber_specialty")
            if specialty and unit_column == "prescriber_id":
                return f"{text} ({specialty_label(str(specialty))})"
            return text

        rows.sort(key=lambda r: -r["value"])
        names = [name(r) for r in rows]
        unit_name = dimensions.column_label(unit_column, language=self.language)
        chart = funnel_plot(
            [
                FunnelPoint(n, r["denominator"], r["value"])
                for n, r in zip(names, rows, strict=True)
            ],
            limits,
            mean=mean,
            title=_("%(title)s : entonnoir par %(level)s, %(year)s")
            % {"title": self.title, "level": unit_name, "year": self.year},
            unit=self.unit,
            size_title=_("dénominateur"),
            decimals=DECIMALS,
            language=self.language,
            subject=unit_name,
            clip=(0.0, 100.0) if self.indicator.proportion else None,
            max_names=MAX_FUNNEL_NAMES,
        )
        columns, body, numeric = self._table(rows, unit_name.capitalize(), names)
        if self.indicator.proportion:
            note = _(
                "Limites binomiales autour de la moyenne régionale %(mean)s, selon le "
                "dénominateur ; %(n)s unités, les %(names)s plus éloignées nommées."
            )
        else:
            note = _(
                "Limites de Poisson autour de la moyenne régionale %(mean)s, selon le "
                "dénominateur : les DDJ ne sont pas des événements indépendants, ces limites "
                "sont étroites et signalent des écarts à examiner, pas des anomalies avérées ; "
                "%(n)s unités, les %(names)s plus éloignées nommées."
            )
        note %= {"mean": _fmt(mean, self.language), "n": len(rows), "names": MAX_FUNNEL_NAMES}
        return Section(
            slug=f"entonnoir-{unit_column}",
            title=_("Entonnoir par %(level)s") % {"level": unit_name},
            chart=chart,
            columns=columns,
            rows=body,
            numeric=numeric,
            note=note,
            order=40,
        )

    def settings_section(self) -> Section | None:
        rows = sorted(
            (r for r in self.of("setting", every_year=True) if r["year"] is not None),
            key=lambda r: (str(r["dimensions"].get("setting", "")), r["year"]),
        )
        settings = list(dict.fromkeys(str(r["dimensions"].get("setting", "")) for r in rows))
        if len(settings) < 2:
            return None
        panels = []
        for setting in settings:
            of_setting = [r for r in rows if str(r["dimensions"].get("setting", "")) == setting]
            panels.append(
                (
                    value_label("setting", setting, self.language),
                    [
                        Bar(str(r["year"]), r["value"], r["ci_low"], r["ci_high"])
                        for r in of_setting
                    ],
                )
            )
        target = _target_for(self.indicator, self.year)
        chart = small_multiples(
            panels,
            title=_("%(title)s par lieu de vie et par année") % {"title": self.title},
            unit=self.unit,
            decimals=DECIMALS,
            language=self.language,
            target=Reference(target.value, _("Objectif")) if target else None,
        )
        labels = [
            f"{value_label('setting', str(r['dimensions'].get('setting', '')), self.language)}"
            f", {r['year']}"
            for r in rows
        ]
        columns, body, numeric = self._table(rows, _("Lieu de vie, année"), labels)
        return Section(
            slug="lieux",
            title=_("Par lieu de vie"),
            chart=chart,
            columns=columns,
            rows=body,
            numeric=numeric,
            order=50,
        )

    def sections(self, regional_value: float | None) -> list[Section]:
        own: list[Section | None] = [
            self.map_section(),
            self.trend_section(),
            self.monthly_section(),
            self.ranking_section(),
            *self.funnel_sections(),
            self.settings_section(),
        ]
        ordered = [(s.order, s) for s in own if s is not None]
        ordered += sections_for(self.context(regional_value))
        ordered.sort(key=lambda pair: pair[0])
        return [s for _order, s in ordered]


def build_page(
    indicator: Indicator,
    rows: list[dict[str, Any]],
    request: PageRequest,
    *,
    language: str,
    region: str,
    may_read_individuals: bool,
    unit_names: dict[str, str] | None = None,
    unit_places: dict[str, tuple[float, float]] | None = None,
) -> IndicatorPage:
    """The page of ``indicator`` from the rows the user may read (dicts of
    ``IndicatorValue`` fields)."""
    builder = _Builder(
        indicator,
        rows,
        request,
        language=language,
        region=region,
        may_read_individuals=may_read_individuals,
        unit_names=unit_names,
        unit_places=unit_places,
    )
    headline = builder.headline()
    regional = builder.regional(builder.year)
    sections = builder.sections(regional["value"] if regional else None)
    return IndicatorPage(
        indicator=indicator,
        title=builder.title,
        unit=builder.unit,
        years=builder.years,
        year=builder.year,
        level=builder.level,
        levels=builder.levels,
        series_choices=builder.series_choices,
        messages=builder.messages,
        headline=headline,
        sections=sections,
        empty=not builder.rows,
    )
