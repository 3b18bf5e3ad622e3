"""SVG charts, written by hand: a few rectangles and labels need no plotting library.

Text is escaped; sizes are fixed so a chart looks the same in a browser and in a print.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape

_FONT = 'font-family="Arial, sans-serif" font-size="12"'
_BAR = "#2f6db5"
_GOOD, _LOW = "#2e8b57", "#c0392b"


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
            f"<title>{escape(title)}</title>",
            f'<text x="10" y="20" {_FONT} font-weight="bold">{escape(title)}</text>',
            *body,
            "</svg>",
        ]
    )


# One area's progress: its name, percent of target (None without a target), actual, target.
ProgressLine = tuple[str, Decimal | None, int, int | None]

# The progress chart's geometry: the label column, a bar's full length (150% of the target),
# and each row's height.
_LABEL_W, _BAR_W, _ROW_H = 220, 360, 22


def progress_bars(title: str, lines: Sequence[ProgressLine]) -> str:
    """One bar per area: percent of target reached (capped at 150% on the scale)."""
    body = [_hundred_percent_line(len(lines))]
    for i, line in enumerate(lines):
        body += _progress_row(36 + i * _ROW_H, line)
    return _svg(_LABEL_W + _BAR_W + 180, 50 + _ROW_H * len(lines), title, body)


def _hundred_percent_line(rows: int) -> str:
    x = _LABEL_W + _BAR_W * 100 // 150
    return (
        f'<line x1="{x}" y1="30" x2="{x}" y2="{40 + _ROW_H * rows}" '
        'stroke="#888" stroke-dasharray="4 3"/>'
    )


def _progress_row(y: int, line: ProgressLine) -> list[str]:
    """The area's name, its bar, and its figures."""
    name = f'<text x="10" y="{y + 14}" {_FONT}>{escape(line[0])}</text>'
    return [name, _progress_bar(y, line[1]), _progress_figures(y, line)]


def _progress_bar(y: int, percent: Decimal | None) -> str:
    share = float(min(percent, Decimal(150))) / 150 if percent is not None else 0.0
    colour = _GOOD if percent is not None and percent >= 100 else _LOW
    width = f"{_BAR_W * share:.1f}"
    return f'<rect x="{_LABEL_W}" y="{y}" width="{width}" height="{_ROW_H - 6}" fill="{colour}"/>'


def _progress_figures(y: int, line: ProgressLine) -> str:
    _, percent, actual, target = line
    text = f"{percent}%" if percent is not None else "chưa có chỉ tiêu"
    detail = f"{actual}/{target}" if target is not None else str(actual)
    figures = f"{escape(text)} ({escape(detail)})"
    return f'<text x="{_LABEL_W + _BAR_W + 8}" y="{y + 14}" {_FONT}>{figures}</text>'


# The monthly chart's geometry: its size, the axis's left end and its height on the chart.
_WIDTH, _HEIGHT, _LEFT, _BOTTOM = 640, 260, 40, 220
_AXIS = f'<line x1="{_LEFT}" y1="{_BOTTOM}" x2="{_WIDTH - 10}" y2="{_BOTTOM}" stroke="#333"/>'


def monthly_series(title: str, points: Sequence[tuple[dt.date, int]]) -> str:
    """Columns per month."""
    top = max((n for _, n in points), default=0) or 1
    step = (_WIDTH - _LEFT - 20) / max(len(points), 1)
    body = [_AXIS]
    for i, (month, n) in enumerate(points):
        body += _month_column(_LEFT + i * step, step, month, n, (_BOTTOM - 40) * n / top)
    return _svg(_WIDTH, _HEIGHT, title, body)


def _month_column(x: float, step: float, month: dt.date, n: int, h: float) -> list[str]:
    """The column, `h` high, with its month below it and its count above it."""
    middle = x + step / 2
    return [_column(x, step, h), _month_label(middle, month), _count_label(middle, n, h)]


def _column(x: float, step: float, h: float) -> str:
    return (
        f'<rect x="{x + 4:.1f}" y="{_BOTTOM - h:.1f}" width="{step - 8:.1f}" '
        f'height="{h:.1f}" fill="{_BAR}"/>'
    )


def _month_label(middle: float, month: dt.date) -> str:
    return (
        f'<text x="{middle:.1f}" y="{_BOTTOM + 15}" {_FONT} '
        f'text-anchor="middle">{month.month:02d}/{month.year % 100:02d}</text>'
    )


def _count_label(middle: float, n: int, h: float) -> str:
    return (
        f'<text x="{middle:.1f}" y="{_BOTTOM - h - 4:.1f}" {_FONT} text-anchor="middle">{n}</text>'
    )


def market_breakdown(title: str, shares: Sequence[tuple[str, int]]) -> str:
    """Horizontal bars per market, with each market's share of the total."""
    total = sum(n for _, n in shares) or 1
    label_w, bar_w, row_h = 120, 380, 22
    body = []
    for i, (market, n) in enumerate(shares):
        y = 36 + i * row_h
        body.append(f'<text x="10" y="{y + 14}" {_FONT}>{escape(market)}</text>')
        body.append(
            f'<rect x="{label_w}" y="{y}" width="{bar_w * n / total:.1f}" '
            f'height="{row_h - 6}" fill="{_BAR}"/>'
        )
        body.append(
            f'<text x="{label_w + bar_w + 8}" y="{y + 14}" {_FONT}>'
            f"{n} ({100 * n / total:.1f}%)</text>"
        )
    return _svg(label_w + bar_w + 120, 50 + row_h * len(shares), title, body)
