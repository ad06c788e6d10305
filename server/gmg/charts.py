"""Charts of the country figures the graph holds, as static SVG: one bar chart per measure.

Plain data in (the rows of `sitequeries.OBSERVATIONS`), SVG text out. A figure is a value,
a range (minimum and maximum) or a fraction (numerator and denominator, drawn on a percent
axis). Hedged figures — those whose asserting statement carries a gmg:hedge — are drawn
hollow and dashed, with the hedge words beside them; stated figures are solid.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Callable

GMG = "https://w3id.org/gmg/ontology#"
PERCENT, FRACTION = GMG + "Percent", GMG + "FractionOfWhole"
COLOUR = "#2456a6"


@dataclass
class Figure:
    iri: str
    label: str
    measure: str
    measure_label: str
    area: str
    area_label: str
    unit: str = ""
    unit_label: str = ""
    value: float | None = None
    low: float | None = None  # a range: minimum and maximum
    high: float | None = None
    numerator: int | None = None
    denominator: int | None = None
    period: str = ""
    year: int | None = None  # to sort by
    hedges: list[str] = field(default_factory=list)
    expressions: list[str] = field(default_factory=list)

    @property
    def hedged(self) -> bool:
        return bool(self.hedges)

    @property
    def is_range(self) -> bool:
        return self.low is not None and self.high is not None

    def plotted(self) -> tuple[float, float] | None:
        """(from, to) on the chart's axis: (0, v) for a value, (min, max) for a range."""
        scale = 100.0 if self.unit == FRACTION else 1.0  # a fraction of the whole, on a percent axis
        if self.is_range:
            return self.low * scale, self.high * scale
        if self.value is not None:
            return 0.0, self.value * scale
        if self.numerator is not None and self.denominator:
            return 0.0, self.numerator / self.denominator * scale
        return None

    def printed(self) -> str:
        """The figure as a reader says it: '52%', '800,000', '4–5 million', '1/3 (≈33%)'."""
        if self.numerator is not None and self.denominator:
            share = self.numerator / self.denominator
            return f"{self.numerator}/{self.denominator} (≈{share * 100:.0f}%)"
        if self.is_range:
            return number_range(self.low, self.high, self.unit)
        if self.value is not None:
            return number(self.value, self.unit)
        return "?"


def number(value: float, unit: str = "") -> str:
    if unit in (PERCENT,):
        return f"{value:g}%"
    if unit == FRACTION:
        return f"{value * 100:g}%"
    if abs(value) >= 1_000_000 and value % 100_000 == 0:
        return f"{value / 1_000_000:g} million"
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


def number_range(low: float, high: float, unit: str = "") -> str:
    if unit not in (PERCENT, FRACTION) and low >= 1_000_000 and high >= 1_000_000 \
            and low % 100_000 == 0 and high % 100_000 == 0:
        return f"{low / 1_000_000:g}–{high / 1_000_000:g} million"
    return f"{number(low, unit)}–{number(high, unit)}"


def _value(row: dict, name: str) -> str | None:
    return row.get(name, {}).get("value")


def _float(row: dict, name: str) -> float | None:
    text = _value(row, name)
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _int(row: dict, name: str) -> int | None:
    number_ = _float(row, name)
    return int(number_) if number_ is not None else None


def figures_from_rows(rows: list[dict]) -> list[Figure]:
    figures = []
    for r in rows:
        year = _int(r, "startYear") or _int(r, "endYear") or _int(r, "latestEndYear")
        figures.append(Figure(
            iri=_value(r, "obs"), label=_value(r, "label") or _value(r, "obs"),
            measure=_value(r, "measure"), measure_label=_value(r, "measureLabel") or _value(r, "measure"),
            area=_value(r, "area"), area_label=_value(r, "areaLabel") or _value(r, "area"),
            unit=_value(r, "unit") or "", unit_label=_value(r, "unitLabel") or "",
            value=_float(r, "value"), low=_float(r, "minValue"), high=_float(r, "maxValue"),
            numerator=_int(r, "numerator"), denominator=_int(r, "denominator"),
            period=_value(r, "periodLabel") or "", year=year,
            hedges=sorted(h for h in (_value(r, "hedges") or "").split("|") if h),
            expressions=sorted(x for x in (_value(r, "hedgeExpressions") or "").split("|") if x)))
    return [f for f in figures if f.plotted() is not None]


def by_measure(figures: list[Figure]) -> list[tuple[str, str, list[Figure]]]:
    """(measure, its label, its figures by country and year), shares before counts, then by label."""
    groups: dict[str, list[Figure]] = {}
    for figure in figures:
        groups.setdefault(figure.measure, []).append(figure)
    ordered = []
    for measure, members in groups.items():
        members.sort(key=lambda f: (f.area_label, f.year or 0, f.iri))
        ordered.append((measure, members[0].measure_label, members))
    share = lambda group: 0 if all(f.unit in (PERCENT, FRACTION) for f in group[2]) else 1  # noqa: E731
    return sorted(ordered, key=lambda group: (share(group), -len(group[2]), group[1]))


def nice_ceiling(value: float) -> float:
    """The axis end: 1, 2, 2.5 or 5 times a power of ten, at or above the value."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def is_nice(value: float) -> bool:
    mantissa = value / 10 ** math.floor(math.log10(value)) if value > 0 else 1
    return any(abs(mantissa - m) < 1e-9 for m in (1, 2, 2.5, 5))


def tick_count(end: float) -> int:
    """Into how many steps the axis is cut: the first of 4, 5, 2 whose step is a round number."""
    return next((n for n in (4, 5, 2) if is_nice(end / n)), 4)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def chart_svg(measure_label: str, figures: list[Figure], href: Callable[[str], str], chart_id: str) -> str:
    """One horizontal bar chart: a row per figure (country · period), bars from 0 (ranges float)."""
    label_width, plot_width, note_width = 200, 380, 300
    row_height, top, bottom = 40, 26, 40
    width = label_width + plot_width + note_width
    height = top + row_height * len(figures) + bottom
    percent_axis = all(f.unit in (PERCENT, FRACTION) for f in figures)
    # shares on 0-100%, so that charts side by side compare; counts up to a round number
    end = 100.0 if percent_axis else nice_ceiling(max(f.plotted()[1] for f in figures))
    x_of = lambda v: label_width + v / end * plot_width  # noqa: E731
    unit_text = "percent" if percent_axis else (figures[0].unit_label or "")

    ticks = []
    parts = tick_count(end)
    for i in range(parts + 1):
        v = end * i / parts
        x = round(x_of(v), 1)
        tick = f"{v:g}%" if percent_axis else number(v)
        ticks.append(f'<line x1="{x}" y1="{top - 6}" x2="{x}" y2="{height - bottom}" stroke="#e1e5ee"/>'
                     f'<text class="tick" x="{x}" y="{height - bottom + 16}" text-anchor="middle">{_esc(tick)}</text>')
    rows = []
    for i, f in enumerate(figures):
        y = top + i * row_height
        start, stop = f.plotted()
        x1, x2 = round(x_of(start), 1), round(x_of(stop), 1)
        bar_width = max(2.0, round(x2 - x1, 1))
        if f.hedged:
            mark = (f'<rect class="bar hedged" x="{x1}" y="{y + 8}" width="{bar_width}" height="18" fill="#fff" '
                    f'stroke="{COLOUR}" stroke-width="2" stroke-dasharray="5 3"/>')
        else:
            mark = f'<rect class="bar stated" x="{x1}" y="{y + 8}" width="{bar_width}" height="18" fill="{COLOUR}"/>'
        if f.is_range:  # end caps, so a floating bar reads as a range
            mark += "".join(f'<line x1="{x}" y1="{y + 4}" x2="{x}" y2="{y + 30}" stroke="{COLOUR}" stroke-width="2"/>'
                            for x in (x1, round(x1 + bar_width, 1)))
        period = f.period or "no year given"
        if len(period) > 30:
            period = period[:29].rstrip() + "…"
        words = ", ".join(f.hedges)
        note = (f'<tspan class="value">{_esc(f.printed())}</tspan>'
                + (f' <tspan class="hedge">({_esc(words)})</tspan>' if words else ""))
        tooltip = f.label + (f" — hedged: {words}" if words else "") + \
            (f" — as printed: {'; '.join(f.expressions)}" if f.expressions else "")
        rows.append(f'<a class="figure{" hedged" if f.hedged else ""}" href="{_esc(href(f.iri))}">'
                    f'<title>{_esc(tooltip)}</title>'
                    f'<text x="{label_width - 10}" y="{y + 15}" text-anchor="end">{_esc(f.area_label)}</text>'
                    f'<text class="period" x="{label_width - 10}" y="{y + 30}" text-anchor="end">{_esc(period)}</text>'
                    f'{mark}'
                    f'<text x="{round(x2 + 8, 1) if not f.is_range else round(x1 + bar_width + 8, 1)}" '
                    f'y="{y + 22}">{note}</text></a>')
    title = f"{measure_label[:1].upper()}{measure_label[1:]}"
    return (f'<svg class="chart" id="{_esc(chart_id)}" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="group" aria-labelledby="{_esc(chart_id)}-title">'
            f'<title id="{_esc(chart_id)}-title">{_esc(title)} ({_esc(unit_text)})</title><style>{CHART_STYLE}</style>'
            f'<rect width="100%" height="100%" fill="#fff"/>'
            f'<text class="tick" x="{label_width}" y="16">{_esc(unit_text)}</text>'
            f'{"".join(ticks)}{"".join(rows)}</svg>')


def legend_svg() -> str:
    return (f'<svg class="chart-legend" viewBox="0 0 560 30" width="560" height="30" role="img" '
            f'aria-label="Legend: a solid bar is a figure the article states plainly; a hollow dashed bar is a hedged '
            f'figure, with the hedge words beside it; a bar with end marks is a range">'
            f'<style>{CHART_STYLE}</style>'
            f'<rect x="0" y="6" width="30" height="16" fill="{COLOUR}"/><text x="38" y="19">stated</text>'
            f'<rect x="110" y="6" width="30" height="16" fill="#fff" stroke="{COLOUR}" stroke-width="2" '
            f'stroke-dasharray="5 3"/><text x="148" y="19">hedged (the hedge words beside it)</text>'
            f'<line x1="390" y1="3" x2="390" y2="25" stroke="{COLOUR}" stroke-width="2"/>'
            f'<rect x="390" y="6" width="30" height="16" fill="#fff" stroke="{COLOUR}" stroke-width="2" '
            f'stroke-dasharray="5 3"/><line x1="420" y1="3" x2="420" y2="25" stroke="{COLOUR}" stroke-width="2"/>'
            f'<text x="428" y="19">a range (min–max)</text></svg>')


CHART_STYLE = """
 text { font: 13px system-ui, sans-serif; fill: #1d2330; } .tick { font-size: 11px; fill: #4a5468; }
 .chart-title { font-weight: 600; font-size: 15px; } .hedge { font-style: italic; fill: #4a5468; }
 .value { font-weight: 600; } .period { font-size: 11px; fill: #4a5468; } a.figure:hover text { fill: #2456a6; }
"""
