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

__all__ = ["timeline_svg", "line_chart_svg", "Chart", "Drawn", "cumulative_money_svg", "stacked_bars_svg",
           "heatmap_svg", "raid_window_svg", "amount_label", "CONTACT_MARKS"]

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


#: How each contact kind is drawn (shape, CSS class) in timelines and raid windows.
CONTACT_MARKS: dict[str, str] = {"call": "call", "sms": "sms", "chat": "sms", "meeting": "meeting"}


def _contact_mark(kind: str, x: float, y: float, tip: Markup, r: float = 5.0) -> str:
    """A call is a vertical tick, an SMS/chat a small square, a meeting a diamond."""
    k = CONTACT_MARKS.get(str(kind).lower(), "other")
    if k == "call":
        return (f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{_f(y - r - 3)}" y2="{_f(y + r + 3)}" '
                f'class="ug-call"><title>{tip}</title></line>')
    if k == "sms":
        return (f'<rect x="{_f(x - r * .7)}" y="{_f(y - r * .7)}" width="{_f(r * 1.4)}" height="{_f(r * 1.4)}" '
                f'class="ug-sms"><title>{tip}</title></rect>')
    if k == "meeting":
        return (f'<path d="M{_f(x)} {_f(y - r - 1)}L{_f(x + r + 1)} {_f(y)}L{_f(x)} {_f(y + r + 1)}L{_f(x - r - 1)} {_f(y)}Z" '
                f'class="ug-meeting"><title>{tip}</title></path>')
    return f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(r * .7)}" class="ug-other"><title>{tip}</title></circle>'


def _contact_legend(x: float, y: float) -> list[str]:
    out = []
    for i, (kind, label) in enumerate((("call", "call"), ("sms", "SMS / chat"), ("meeting", "meeting"))):
        xx = x + i * 110
        out.append(_contact_mark(kind, xx, y, escape(label), r=4.0))
        out.append(f'<text x="{_f(xx + 9)}" y="{_f(y + 4)}" class="ug-axis">{escape(label)}</text>')
    return out


def amount_label(v: float) -> str:
    """An amount tick label: ``¥1,000``, ``¥25万``... in plain digits with separators.

    >>> amount_label(1000), amount_label(2500000.0)
    ('¥1,000', '¥2,500,000')
    """
    return f"¥{v:,.0f}"


def timeline_svg(
    records: pd.DataFrame,
    raids: pd.DataFrame,
    *,
    width: int = 880,
    title: str = "",
) -> Markup:
    """A timeline of money and contacts with raids marked.

    Money is drawn as circles whose height on a labelled logarithmic scale is the amount
    (¥1,000 ... ¥1,000,000); contacts are drawn by kind (a call is a tick, an SMS or chat a
    square, a meeting a diamond); raids are dashed red lines.

    Parameters
    ----------
    records : DataFrame
        Columns ``time`` (datetime), ``lane`` (``"money"`` or ``"contact"``), ``amount``
        (float or NaN), ``label`` (the hover text) and optionally ``kind`` (the contact
        kind: call, sms, chat, meeting).
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
    left, right, top = 86.0, 16.0, 30.0
    money_h, contact_h = 120.0, 40.0
    money_bot = top + money_h
    contact_y = money_bot + contact_h / 2 + 8
    axis_y = money_bot + contact_h + 16
    height = int(axis_y + 44)
    span = (hi - lo).total_seconds()

    def x_of(t: pd.Timestamp) -> float:
        return left + (width - left - right) * ((pd.Timestamp(t) - lo).total_seconds() / span)

    amounts_all = recs["amount"].to_numpy(dtype=float) if len(recs) else np.array([])
    pos = amounts_all[np.isfinite(amounts_all) & (amounts_all > 0)]
    # decades of the scale, kept inside what a float holds (an amount near 1.7e308 would
    # round up to 10**309, which overflows)
    e_lo = min(math.floor(math.log10(pos.min())), 307) if len(pos) else 3
    e_hi = min(math.ceil(math.log10(pos.max())), 308) if len(pos) else 5
    if e_hi <= e_lo:
        e_hi = e_lo + 1
    a_lo, a_hi = 10.0 ** e_lo, 10.0 ** e_hi

    def y_of(a: float) -> float:
        a = min(max(a, a_lo), a_hi)
        return money_bot - 6 - (money_h - 12) * (math.log10(a) - math.log10(a_lo)) / (math.log10(a_hi) - math.log10(a_lo))

    out = [f'<svg class="ug-timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-label="{escape(title or "timeline")}">']
    # money scale (log, labelled)
    for e in range(e_lo, e_hi + 1):
        y = y_of(10.0 ** e)
        out.append(f'<line x1="{_f(left)}" x2="{_f(width - right)}" y1="{_f(y)}" y2="{_f(y)}" class="ug-grid"/>')
        out.append(f'<text x="{_f(left - 6)}" y="{_f(y + 4)}" text-anchor="end" class="ug-axis">'
                   f'{escape(amount_label(10.0 ** e))}</text>')
    out.append(f'<text x="{_f(left)}" y="{_f(top - 16)}" class="ug-axis ug-strong">money (amount, log scale)</text>')
    out.append(f'<line x1="{_f(left)}" x2="{_f(width - right)}" y1="{_f(contact_y)}" y2="{_f(contact_y)}" class="ug-lane"/>')
    out.append(f'<text x="{_f(left - 8)}" y="{_f(contact_y + 4)}" text-anchor="end" class="ug-axis">contacts</text>')
    out.append(f'<line x1="{_f(left)}" x2="{_f(width - right)}" y1="{_f(axis_y)}" y2="{_f(axis_y)}" class="ug-axisline"/>')
    for t, lab in _time_ticks(lo, hi):
        x = x_of(t)
        out.append(f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{_f(axis_y)}" y2="{_f(axis_y + 4)}" class="ug-axisline"/>')
        out.append(f'<text x="{_f(x)}" y="{_f(axis_y + 16)}" text-anchor="middle" class="ug-axis">{escape(lab)}</text>')
    # raids
    for t, lab in zip(rds["time"] if len(rds) else [], rds["label"] if len(rds) else [], strict=True):
        x = x_of(t)
        out.append(f'<g class="ug-raid"><title>{escape(lab)}</title>'
                   f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{_f(top - 4)}" y2="{_f(axis_y)}"/>'
                   f'<text x="{_f(x + 3)}" y="{_f(top + 6)}">{escape(str(lab).split(" ")[0])}</text></g>')
    # records (biggest first so that small marks stay on top)
    if len(recs):
        kinds = recs["kind"].astype(str).tolist() if "kind" in recs.columns else ["call"] * len(recs)
        order = np.argsort(-np.nan_to_num(amounts_all), kind="stable")
        for i in order:
            r = recs.iloc[int(i)]
            x = x_of(r["time"])
            tip = escape(r["label"])
            if r["lane"] == "money":
                a = float(r["amount"]) if pd.notna(r["amount"]) else a_lo
                out.append(f'<circle cx="{_f(x)}" cy="{_f(y_of(a))}" r="4.5" class="ug-money"><title>{tip}</title></circle>')
            else:
                out.append(_contact_mark(kinds[int(i)], x, contact_y, tip))
    out += _contact_legend(left + 4, height - 10)
    out.append(f'<circle cx="{_f(left + 344)}" cy="{_f(height - 10)}" r="4.5" class="ug-money"/>'
               f'<text x="{_f(left + 353)}" y="{_f(height - 6)}" class="ug-axis">money transfer</text>')
    out.append(f'<line x1="{_f(left + 470)}" x2="{_f(left + 470)}" y1="{_f(height - 18)}" y2="{_f(height - 2)}" '
               f'class="ug-raidmark"/><text x="{_f(left + 476)}" y="{_f(height - 6)}" class="ug-axis">'
               f'enforcement event</text>')
    out.append("</svg>")
    return Markup("".join(out))


def cumulative_money_svg(times: Sequence[pd.Timestamp], amounts: Sequence[float], raids: Sequence[pd.Timestamp] = (),
                         *, width: int = 560, height: int = 200, title: str = "") -> Markup:
    """Cumulative money over time as a step line, on a labelled amount scale (¥)."""
    t = pd.to_datetime(pd.Series(list(times)))
    a = pd.to_numeric(pd.Series(list(amounts)), errors="coerce").fillna(0.0)
    keep = t.notna().to_numpy()
    t, a = t[keep].reset_index(drop=True), a[keep].reset_index(drop=True)
    if not len(t):
        return Markup('<p class="ug-muted">No dated money from the gang\'s side to the official\'s circle.</p>')
    order = np.argsort(t.to_numpy(), kind="stable")
    t, a = t.iloc[order].reset_index(drop=True), a.iloc[order].reset_index(drop=True)
    # a sum past the largest float (hostile amounts) is drawn at the top of the scale
    cum = np.minimum(a.cumsum().to_numpy(dtype=float), np.finfo(float).max)
    lo, hi = t.min(), t.max()
    pad = max(pd.Timedelta(days=7), (hi - lo) * 0.05)
    lo, hi = lo - pad, hi + pad
    left, right, top, bottom = 86.0, 14.0, 24.0, 28.0
    span = (hi - lo).total_seconds()
    y_hi = max(float(cum[-1]), 1.0)
    ticks = _nice_ticks(0.0, y_hi, 4)
    y_hi = max(y_hi, ticks[-1])

    def px(x: pd.Timestamp) -> float:
        return left + (width - left - right) * ((pd.Timestamp(x) - lo).total_seconds() / span)

    def py(y: float) -> float:
        return top + (height - top - bottom) * (1 - y / y_hi)

    out = [f'<svg class="ug-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-label="{escape(title or "cumulative money")}">']
    for v in ticks:
        out.append(f'<line x1="{_f(left)}" x2="{_f(width - right)}" y1="{_f(py(v))}" y2="{_f(py(v))}" class="ug-grid"/>')
        out.append(f'<text x="{_f(left - 6)}" y="{_f(py(v) + 4)}" text-anchor="end" class="ug-axis">{escape(amount_label(v))}</text>')
    for tt, lab in _time_ticks(lo, hi):
        out.append(f'<text x="{_f(px(tt))}" y="{_f(height - 10)}" text-anchor="middle" class="ug-axis">{escape(lab)}</text>')
    out.append(f'<line x1="{_f(left)}" x2="{_f(width - right)}" y1="{_f(py(0))}" y2="{_f(py(0))}" class="ug-axisline"/>')
    for r in raids:
        if pd.notna(r) and lo <= pd.Timestamp(r) <= hi:
            x = px(r)
            out.append(f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{_f(top)}" y2="{_f(py(0))}" class="ug-raidmark"/>')
    pts = [f"{_f(px(lo))},{_f(py(0))}"]
    prev = 0.0
    for tt, c in zip(t, cum, strict=True):
        x = px(tt)
        pts.append(f"{_f(x)},{_f(py(prev))}")
        pts.append(f"{_f(x)},{_f(py(c))}")
        prev = float(c)
    pts.append(f"{_f(px(hi))},{_f(py(prev))}")
    out.append(f'<polyline points="{" ".join(pts)}" class="ug-cum"/>')
    out.append(f'<text x="{_f(width - right)}" y="{_f(py(prev) - 5)}" text-anchor="end" class="ug-axis ug-strong">'
               f'{escape(amount_label(prev))} in {len(t):,} transfer(s)</text>')
    out.append("</svg>")
    return Markup("".join(out))


def stacked_bars_svg(labels: Sequence[str], parts: Mapping[str, Sequence[float]], *, width: int = 880,
                     title: str = "", totals: Sequence[float] | None = None) -> Markup:
    """Horizontal stacked bars: one bar per label, one colour per part (the score breakdown)."""
    n = len(labels)
    if not n or not parts:
        return Markup('<p class="ug-muted">No scored pair.</p>')
    names = list(parts)
    vals = np.array([[max(0.0, float(parts[k][i])) for k in names] for i in range(n)])
    tot = vals.sum(axis=1)
    x_hi = max(float(tot.max()), float(max(totals)) if totals else 0.0, 1e-9)
    left, right, top, row_h = 210.0, 60.0, 8.0, 19.0
    legend_rows = math.ceil(len(names) / 6)
    height = int(top + n * row_h + 26 + legend_rows * 18)
    out = [f'<svg class="ug-chart ug-stacked" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-label="{escape(title or "score breakdown")}">']
    scale = (width - left - right) / x_hi
    for i, lab in enumerate(labels):
        y = top + i * row_h
        out.append(f'<text x="{_f(left - 6)}" y="{_f(y + 13)}" text-anchor="end" class="ug-axis">{escape(lab)}</text>')
        x = left
        for j, k in enumerate(names):
            w = vals[i, j] * scale
            if w <= 0.05:
                continue
            color = _PART_COLORS[j % len(_PART_COLORS)]
            out.append(f'<rect x="{_f(x)}" y="{_f(y + 2)}" width="{_f(w)}" height="{_f(row_h - 5)}" fill="{color}">'
                       f'<title>{escape(lab)}: {escape(k)} {vals[i, j]:.3f}</title></rect>')
            x += w
        total = float(totals[i]) if totals is not None else float(tot[i])
        out.append(f'<text x="{_f(x + 4)}" y="{_f(y + 13)}" class="ug-axis">{total:.3f}</text>')
    ly = top + n * row_h + 16
    for j, k in enumerate(names):
        lx = left + (j % 6) * 105
        yy = ly + (j // 6) * 18
        out.append(f'<rect x="{_f(lx)}" y="{_f(yy - 9)}" width="10" height="10" fill="{_PART_COLORS[j % len(_PART_COLORS)]}"/>'
                   f'<text x="{_f(lx + 14)}" y="{_f(yy)}" class="ug-axis">{escape(k)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


_PART_COLORS = ("#c62828", "#ef6c00", "#f9a825", "#2e7d32", "#00838f", "#1565c0", "#6a1b9a", "#ad1457",
                "#4e342e", "#546e7a", "#9e9d24", "#5d4037", "#7986cb", "#26a69a")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def heatmap_svg(counts: np.ndarray, *, title: str = "", cell: int = 18) -> Markup:
    """An hour-by-weekday heat map (7 x 24 counts) of contacts: i2's "time wheel" unrolled."""
    c = np.asarray(counts, dtype=float).reshape(7, 24)
    if not c.sum():
        return Markup('<p class="ug-muted">No dated contact for this pair.</p>')
    left, top = 40.0, 18.0
    width = int(left + 24 * cell + 10)
    height = int(top + 7 * cell + 8)
    hi = float(c.max())
    out = [f'<svg class="ug-chart ug-heat" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-label="{escape(title or "contacts by hour and weekday")}">']
    for h in range(0, 24, 3):
        out.append(f'<text x="{_f(left + h * cell + cell / 2)}" y="{_f(top - 5)}" text-anchor="middle" class="ug-axis">{h:02d}h</text>')
    for d in range(7):
        out.append(f'<text x="{_f(left - 5)}" y="{_f(top + d * cell + cell * .7)}" text-anchor="end" class="ug-axis">{_WEEKDAYS[d]}</text>')
        for h in range(24):
            v = c[d, h]
            op = 0.0 if not v else 0.15 + 0.85 * v / hi
            out.append(f'<rect x="{_f(left + h * cell)}" y="{_f(top + d * cell)}" width="{cell - 1}" height="{cell - 1}" '
                       f'class="ug-heatcell" fill-opacity="{op:.2f}"><title>{_WEEKDAYS[d]} {h:02d}:00-{h:02d}:59: '
                       f'{int(v)} contact(s)</title></rect>')
    out.append("</svg>")
    return Markup("".join(out))


def raid_window_svg(event_time: pd.Timestamp, official: pd.DataFrame, relays: pd.DataFrame, *,
                    hours_before: float = 48.0, hours_after: float = 6.0, width: int = 720, title: str = "") -> Markup:
    """The hours around one raid: the official's side's contacts with the gang (top lane),
    then the gang relaying among itself (bottom lane). Frames: ``time``, ``kind``, ``label``."""
    ev = pd.Timestamp(event_time)
    lo, hi = ev - pd.Timedelta(hours=hours_before), ev + pd.Timedelta(hours=hours_after)
    left, right, top = 150.0, 14.0, 16.0
    lane_h = 34.0
    lanes = (("official's side → gang", official, top + lane_h * .5), ("gang relays", relays, top + lane_h * 1.5))
    axis_y = top + lane_h * 2 + 4
    height = int(axis_y + 40)
    span = (hi - lo).total_seconds()

    def px(t: pd.Timestamp) -> float:
        return left + (width - left - right) * ((pd.Timestamp(t) - lo).total_seconds() / span)

    out = [f'<svg class="ug-chart ug-raidwin" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-label="{escape(title or "raid window")}">']
    for name, frame, y in lanes:
        out.append(f'<line x1="{_f(left)}" x2="{_f(width - right)}" y1="{_f(y)}" y2="{_f(y)}" class="ug-lane"/>')
        out.append(f'<text x="{_f(left - 8)}" y="{_f(y + 4)}" text-anchor="end" class="ug-axis">{escape(name)}</text>')
        if len(frame):
            for t, k, lab in zip(frame["time"], frame["kind"], frame["label"], strict=True):
                if pd.notna(t) and lo <= pd.Timestamp(t) <= hi:
                    out.append(_contact_mark(str(k), px(t), y, escape(lab), r=4.5))
    out.append(f'<line x1="{_f(left)}" x2="{_f(width - right)}" y1="{_f(axis_y)}" y2="{_f(axis_y)}" class="ug-axisline"/>')
    step = next(v for v in (1, 2, 3, 6, 12, 24) if (hours_before + hours_after) / v <= 10)
    h = -int(hours_before) // step * step
    while h <= hours_after:
        if h >= -hours_before:
            x = px(ev + pd.Timedelta(hours=h))
            out.append(f'<text x="{_f(x)}" y="{_f(axis_y + 14)}" text-anchor="middle" class="ug-axis">{h:+d}h</text>')
        h += step
    out += _contact_legend(left + 4, height - 6)
    x = px(ev)
    out.append(f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{_f(top - 6)}" y2="{_f(axis_y)}" class="ug-raidmark"/>')
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
    if hi <= lo or not (math.isfinite(lo) and math.isfinite(hi)) or not math.isfinite((hi - lo) / n):
        return [lo] if math.isfinite(lo) else [0.0]
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


@dataclass
class Drawn(Chart):
    """A chart the report drew itself (escaped SVG markup), placed in a section like a Chart."""

    markup: Markup = field(default_factory=lambda: Markup(""))

    def svg(self) -> Markup:
        return self.markup
