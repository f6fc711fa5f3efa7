"""Small inline SVG charts drawn in Python (no JavaScript, no external library).

Every text that reaches the SVG (labels, tooltips in ``<title>``) is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from markupsafe import Markup, escape

__all__ = ["timeline_svg", "line_chart_svg", "Chart"]

_SERIES_COLORS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")


def _f(x: float) -> str:
    return f"{x:.1f}"


def _time_ticks(lo: pd.Timestamp, hi: pd.Timestamp) -> list[tuple[pd.Timestamp, str]]:
    span_days = max(1.0, (hi - lo).total_seconds() / 86400.0)
    if span_days > 3 * 365:
        starts = pd.date_range(lo.normalize() - pd.offsets.YearBegin(1), hi, freq="YS")
        fmt = "%Y"
    elif span_days > 120:
        starts = pd.date_range(lo.normalize() - pd.offsets.MonthBegin(1), hi, freq="QS")
        fmt = "%Y-%m"
    elif span_days > 20:
        starts = pd.date_range(lo.normalize(), hi, freq="W-MON")
        fmt = "%m-%d"
    else:
        starts = pd.date_range(lo.normalize(), hi, freq="D")
        fmt = "%m-%d"
    return [(t, t.strftime(fmt)) for t in starts if lo <= t <= hi]


def timeline_svg(
    records: pd.DataFrame,
    raids: pd.DataFrame,
    *,
    width: int = 880,
    title: str = "",
) -> Markup:
    """A timeline of money and contacts with raids marked.

    Parameters
    ----------
    records : DataFrame
        Columns ``time`` (datetime), ``lane`` (``"money"`` or ``"contact"``), ``amount``
        (float or NaN) and ``label`` (the hover text).
    raids : DataFrame
        Columns ``time`` and ``label``.

    Returns
    -------
    markupsafe.Markup
        An ``<svg>`` element (escaped), or a short paragraph when there is nothing dated.
    """
    recs = records.dropna(subset=["time"]) if len(records) else records
    rds = raids.dropna(subset=["time"]) if len(raids) else raids
    if not len(recs) and not len(rds):
        return Markup('<p class="ug-muted">No dated money or contact records for this pair.</p>')
    times = pd.to_datetime(pd.concat([recs["time"] if len(recs) else pd.Series([], dtype="datetime64[ns]"),
                                      rds["time"] if len(rds) else pd.Series([], dtype="datetime64[ns]")]))
    lo, hi = times.min(), times.max()
    pad = max(pd.Timedelta(days=3), (hi - lo) * 0.04)
    lo, hi = lo - pad, hi + pad
    left, right, top = 78.0, 16.0, 34.0
    lane_h = 46.0
    lanes = {"money": top + lane_h * 0.5, "contact": top + lane_h * 1.5}
    height = int(top + lane_h * 2 + 34)
    span = (hi - lo).total_seconds()

    def x_of(t: pd.Timestamp) -> float:
        return left + (width - left - right) * ((pd.Timestamp(t) - lo).total_seconds() / span)

    out = [f'<svg class="ug-timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-label="{escape(title or "timeline")}">']
    # lanes and axis
    for name, y in lanes.items():
        out.append(f'<line x1="{_f(left)}" x2="{_f(width - right)}" y1="{_f(y)}" y2="{_f(y)}" class="ug-lane"/>')
        out.append(f'<text x="{_f(left - 8)}" y="{_f(y + 4)}" text-anchor="end" class="ug-axis">'
                   f'{"money" if name == "money" else "contacts"}</text>')
    axis_y = top + lane_h * 2 + 6
    out.append(f'<line x1="{_f(left)}" x2="{_f(width - right)}" y1="{_f(axis_y)}" y2="{_f(axis_y)}" class="ug-axisline"/>')
    for t, lab in _time_ticks(lo, hi):
        x = x_of(t)
        out.append(f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{_f(axis_y)}" y2="{_f(axis_y + 4)}" class="ug-axisline"/>')
        out.append(f'<text x="{_f(x)}" y="{_f(axis_y + 16)}" text-anchor="middle" class="ug-axis">{escape(lab)}</text>')
    # raids
    for t, lab in zip(rds["time"] if len(rds) else [], rds["label"] if len(rds) else [], strict=True):
        x = x_of(t)
        out.append(f'<g class="ug-raid"><title>{escape(lab)}</title>'
                   f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{_f(top - 14)}" y2="{_f(axis_y)}"/>'
                   f'<text x="{_f(x + 3)}" y="{_f(top - 16)}">{escape(str(lab).split(" ")[0])}</text></g>')
    # records (biggest first so that small marks stay on top)
    if len(recs):
        amounts = recs["amount"].to_numpy(dtype=float)
        order = np.argsort(-np.nan_to_num(amounts), kind="stable")
        for i in order:
            r = recs.iloc[int(i)]
            x = x_of(r["time"])
            tip = escape(r["label"])
            if r["lane"] == "money":
                a = float(r["amount"]) if pd.notna(r["amount"]) else 0.0
                rad = 3.0 + 2.2 * math.log10(1.0 + a / 1000.0)
                out.append(f'<circle cx="{_f(x)}" cy="{_f(lanes["money"])}" r="{_f(min(rad, 14.0))}" '
                           f'class="ug-money"><title>{tip}</title></circle>')
            else:
                y = lanes["contact"]
                out.append(f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{_f(y - 10)}" y2="{_f(y + 10)}" '
                           f'class="ug-contact"><title>{tip}</title></line>')
    out.append("</svg>")
    return Markup("".join(out))


@dataclass
class Chart:
    """A line chart for a report section, drawn as inline SVG.

    Attributes
    ----------
    series : mapping of str to (x, y)
        One line per name: x and y value sequences of equal length.
    x_label, y_label : str
        Axis titles.
    title : str
        Caption above the chart.
    y_range : (float, float), optional
        Fixed y axis range (e.g. ``(0, 1)`` for fractions).
    """

    series: Mapping[str, tuple[Sequence[float], Sequence[float]]]
    x_label: str = ""
    y_label: str = ""
    title: str = ""
    y_range: tuple[float, float] | None = None
    width: int = 520
    height: int = 240
    meta: dict[str, str] = field(default_factory=dict)

    def svg(self) -> Markup:
        return line_chart_svg(self)


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    start = math.ceil(lo / step) * step
    ticks: list[float] = []
    v = start
    while v <= hi + 1e-9 and len(ticks) < 20:
        ticks.append(round(v, 10))
        v += step
    return ticks


def _num(v: float) -> str:
    return f"{v:g}" if abs(v) < 1e6 else f"{v:.3g}"


def line_chart_svg(chart: Chart) -> Markup:
    """Draw a :class:`Chart` as an escaped inline ``<svg>``."""
    xs = [float(x) for xs_, _ in chart.series.values() for x in xs_]
    ys = [float(y) for _, ys_ in chart.series.values() for y in ys_]
    if not xs:
        return Markup('<p class="ug-muted">No data.</p>')
    w, h = chart.width, chart.height
    left, right, top, bottom = 52.0, 12.0, 14.0, 40.0
    x_lo, x_hi = min(xs), max(xs)
    if x_hi == x_lo:
        x_hi = x_lo + 1
    y_lo, y_hi = chart.y_range if chart.y_range else (min(0.0, min(ys)), max(ys) if max(ys) > 0 else 1.0)
    if y_hi == y_lo:
        y_hi = y_lo + 1

    def px(x: float) -> float:
        return left + (w - left - right) * (x - x_lo) / (x_hi - x_lo)

    def py(y: float) -> float:
        return top + (h - top - bottom) * (1 - (y - y_lo) / (y_hi - y_lo))

    out = [f'<svg class="ug-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h + 18 * len(chart.series)}" '
           f'width="{w}" height="{h + 18 * len(chart.series)}" role="img" aria-label="{escape(chart.title or "chart")}">']
    for t in _nice_ticks(y_lo, y_hi):
        y = py(t)
        out.append(f'<line x1="{_f(left)}" x2="{_f(w - right)}" y1="{_f(y)}" y2="{_f(y)}" class="ug-grid"/>')
        out.append(f'<text x="{_f(left - 6)}" y="{_f(y + 4)}" text-anchor="end" class="ug-axis">{escape(_num(t))}</text>')
    for t in _nice_ticks(x_lo, x_hi, 6):
        x = px(t)
        out.append(f'<text x="{_f(x)}" y="{_f(h - bottom + 16)}" text-anchor="middle" class="ug-axis">{escape(_num(t))}</text>')
    out.append(f'<line x1="{_f(left)}" x2="{_f(w - right)}" y1="{_f(h - bottom)}" y2="{_f(h - bottom)}" class="ug-axisline"/>')
    out.append(f'<line x1="{_f(left)}" x2="{_f(left)}" y1="{_f(top)}" y2="{_f(h - bottom)}" class="ug-axisline"/>')
    if chart.x_label:
        out.append(f'<text x="{_f((left + w - right) / 2)}" y="{_f(h - 6)}" text-anchor="middle" class="ug-axis">'
                   f'{escape(chart.x_label)}</text>')
    if chart.y_label:
        out.append(f'<text x="12" y="{_f((top + h - bottom) / 2)}" text-anchor="middle" class="ug-axis" '
                   f'transform="rotate(-90 12 {_f((top + h - bottom) / 2)})">{escape(chart.y_label)}</text>')
    for i, (name, (sx, sy)) in enumerate(chart.series.items()):
        color = _SERIES_COLORS[i % len(_SERIES_COLORS)]
        pts = " ".join(f"{_f(px(float(x)))},{_f(py(float(y)))}" for x, y in zip(sx, sy, strict=True))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2">'
                   f'<title>{escape(name)}</title></polyline>')
        ly = h + 18 * i + 4
        out.append(f'<line x1="{_f(left)}" x2="{_f(left + 22)}" y1="{_f(ly)}" y2="{_f(ly)}" stroke="{color}" stroke-width="2"/>')
        out.append(f'<text x="{_f(left + 28)}" y="{_f(ly + 4)}" class="ug-axis">{escape(name)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
