"""The sections of an indicator page, and the extension point for more of them.

An indicator page (``/surveillance/indicateurs/<code>/``) is a headline followed by
sections; each section is a title, a chart (``cratb.charts``) and the table of the same
values. The page's own sections (map, trend, ranking, funnel, settings) are built by
:mod:`cratb.dashboards.indicator_page`; another module adds its own — e.g. a « national
view » from Open Medic — by registering a **section provider**::

    from cratb.dashboards.sections import PageContext, Section, register_section

    @register_section(order=60, stamp=lambda: open_medic_edition())
    def national_view(page: PageContext) -> Section | None:
        if page.indicator.id != "community.did":
            return None  # nothing to add for this indicator
        ...
        return Section(slug="national", title=..., chart=chart, columns=[...], rows=[...])

and, for the headline's comparison with France, a **national figure provider**::

    @register_national_figure
    def france(page: PageContext) -> NationalFigure | None: ...

Providers are called on each page build, in ``order`` (the page's own sections use 10–50;
60 and above come after the ranking and the funnel). A provider returns ``None`` when it
has nothing for that indicator, year or level. The page is cached until the next
publication: a provider whose figures change otherwise (an import of national data) gives
``stamp``, a function whose value joins the cache key. A provider that raises is logged
and left out; the page is still shown.

Providers receive only what the page shows to this user (``page.values``: the rows of the
indicator the user may read), so they cannot widen what a role sees.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from cratb.charts import Chart
    from cratb.engine.indicators import Indicator

__all__ = [
    "NationalFigure",
    "PageContext",
    "Provider",
    "Section",
    "national_figures",
    "providers_stamp",
    "register_national_figure",
    "register_section",
    "sections_for",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageContext:
    """What a provider knows of the page being built."""

    indicator: Indicator
    year: int | None
    level: str  # the ranked level: "departement", "setting", "finess"…
    language: str  # "fr" or "en"
    region: str  # INSEE code of the platform's region
    #: The rows of this indicator the user may read (``IndicatorValue`` field dicts).
    values: Sequence[dict[str, Any]] = ()
    #: The region's value of the year (the headline), when there is one.
    regional_value: float | None = None


@dataclass(frozen=True)
class Section:
    """One section of the page: a chart and the table of its values.

    ``rows`` hold the strings the table shows (numbers already formatted with
    ``cratb.charts.numbers.format_number``, as the chart writes them); ``numeric`` the
    indexes of the columns aligned as numbers.
    """

    slug: str
    title: str
    chart: Chart | None = None
    columns: Sequence[str] = ()
    rows: Sequence[Sequence[str]] = ()
    numeric: frozenset[int] = frozenset()
    note: str = ""
    table_caption: str = ""
    order: int = 100

    @property
    def chart_html(self) -> SafeString:
        if self.chart is None:
            return mark_safe("")
        return mark_safe(self.chart.html())  # noqa: S308 - rendered and escaped by cratb.charts

    @property
    def key(self) -> str:
        return self.chart.key if self.chart is not None else ""

    def cells(self) -> list[list[tuple[str, bool]]]:
        """The rows as (text, is a number) pairs, for the template."""
        return [[(text, i in self.numeric) for i, text in enumerate(row)] for row in self.rows]


@dataclass(frozen=True)
class NationalFigure:
    """France's value of the indicator for the page's year, from a reference table."""

    value: float
    label: str  # « France entière (Open Medic 2024) »
    source: str = ""


Provider = Callable[[PageContext], Section | None]
FigureProvider = Callable[[PageContext], NationalFigure | None]


@dataclass
class _Registered:
    provider: Callable[[PageContext], Any]
    order: int
    stamp: Callable[[], str] | None = None


@dataclass
class _Registry:
    sections: list[_Registered] = field(default_factory=list)
    figures: list[_Registered] = field(default_factory=list)


_REGISTRY = _Registry()


def register_section(
    provider: Provider | None = None, *, order: int = 100, stamp: Callable[[], str] | None = None
) -> Any:
    """Add a section provider (usable as ``@register_section`` or
    ``@register_section(order=60)``)."""

    def add(function: Provider) -> Provider:
        if all(r.provider is not function for r in _REGISTRY.sections):
            _REGISTRY.sections.append(_Registered(function, order, stamp))
            _REGISTRY.sections.sort(key=lambda r: r.order)
        return function

    return add(provider) if provider is not None else add


def register_national_figure(
    provider: FigureProvider | None = None, *, stamp: Callable[[], str] | None = None
) -> Any:
    """Add a provider of France's figure for the headline (the first that answers wins)."""

    def add(function: FigureProvider) -> FigureProvider:
        if all(r.provider is not function for r in _REGISTRY.figures):
            _REGISTRY.figures.append(_Registered(function, 0, stamp))
        return function

    return add(provider) if provider is not None else add


def unregister(provider: Callable[[PageContext], Any]) -> None:
    """Remove a provider (tests)."""
    _REGISTRY.sections = [r for r in _REGISTRY.sections if r.provider is not provider]
    _REGISTRY.figures = [r for r in _REGISTRY.figures if r.provider is not provider]


def providers_stamp() -> str:
    """What the registered providers' own data adds to the page's cache key."""
    parts = []
    for registered in (*_REGISTRY.sections, *_REGISTRY.figures):
        name = getattr(registered.provider, "__qualname__", repr(registered.provider))
        parts.append(f"{name}={registered.stamp() if registered.stamp else ''}")
    return "|".join(parts)


def _call(registered: _Registered, page: PageContext) -> Any:
    try:
        return registered.provider(page)
    except Exception:  # a provider's fault never takes the page down
        logger.exception("indicator page provider %r failed", registered.provider)
        return None


def sections_for(page: PageContext) -> list[tuple[int, Section]]:
    """The registered providers' sections for this page, with their order."""
    out = []
    for registered in _REGISTRY.sections:
        section = _call(registered, page)
        if isinstance(section, Section):
            out.append((registered.order, section))
    return out


def national_figures(page: PageContext) -> NationalFigure | None:
    for registered in _REGISTRY.figures:
        figure = _call(registered, page)
        if isinstance(figure, NationalFigure):
            return figure
    return None
