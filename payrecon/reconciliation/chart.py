"""An inline SVG chart of the match rate and open amounts over recent runs. Pure, no JS.

Same points in, same bytes out: coordinates are rounded and nothing depends on the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from payrecon.money import format_vnd
from payrecon.reconciliation.report_data import TrendPoint

WIDTH, HEIGHT, PAD = 640, 240, 40


@dataclass(frozen=True)
class ChartLabels:
    """The chart's words; English for the report files, translated by the officer pages.

    `open_point` takes {day} and {amount}; `open_scale` takes {amount}. Days are written with
    `axis_day` (the x axis) and `point_day` (each bar's title), strftime patterns.
    """

    title: str = "Match rate and open exception amounts, last runs"
    empty: str = "no finished runs yet"
    match_scale: str = "match rate 0–100 %"
    open_scale: str = "open: up to {amount}"
    open_point: str = "{day}: {amount} open"
    axis_day: str = "%Y-%m-%d"
    point_day: str = "%Y-%m-%d"


def trend_svg(points: Sequence[TrendPoint], labels: ChartLabels = ChartLabels()) -> str:
    """Bars: open amount (right scale); line: match rate in % (left scale)."""
    if not points:
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="40" role="img">'
            f'<text x="10" y="25">{escape(labels.empty)}</text></svg>'
        )
    plot_w, plot_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    step = plot_w / len(points)
    top_open = max(point.open_vnd for point in points) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        'role="img" aria-labelledby="trend-title">',
        '<title id="trend-title">' + escape(labels.title) + "</title>",
        f'<rect x="{PAD}" y="{PAD}" width="{plot_w}" height="{plot_h}" fill="#fafafa" '
        'stroke="#ccc"/>',
    ]
    line = []
    for n, point in enumerate(points):
        x = PAD + n * step
        bar_h = round(plot_h * point.open_vnd / top_open, 1)
        label = escape(
            labels.open_point.format(
                day=point.business_date.strftime(labels.point_day),
                amount=format_vnd(point.open_vnd),
            )
        )
        parts.append(
            f'<rect x="{x + step * 0.2:.1f}" y="{PAD + plot_h - bar_h:.1f}" '
            f'width="{step * 0.6:.1f}" height="{bar_h:.1f}" fill="#f4a582"><title>{label}'
            "</title></rect>"
        )
        line.append(f"{x + step / 2:.1f},{PAD + plot_h * (1 - point.match_rate):.1f}")
    parts.append(
        f'<polyline points="{" ".join(line)}" fill="none" stroke="#2166ac" stroke-width="2"/>'
    )
    parts.append(
        f'<text x="{PAD}" y="{PAD - 8}" font-size="12">{escape(labels.match_scale)}</text>'
    )
    parts.append(
        f'<text x="{WIDTH - PAD}" y="{PAD - 8}" font-size="12" text-anchor="end">'
        f"{escape(labels.open_scale.format(amount=format_vnd(top_open)))}</text>"
    )
    first = points[0].business_date.strftime(labels.axis_day)
    last = points[-1].business_date.strftime(labels.axis_day)
    parts.append(
        f'<text x="{PAD}" y="{HEIGHT - 12}" font-size="12">{first}</text>'
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 12}" font-size="12" text-anchor="end">{last}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
