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


def progress_bars(title: str, lines: Sequence[tuple[str, Decimal | None, int, int | None]]) -> str:
    """One bar per area: percent of target reached (capped at 150% on the scale)."""
    label_w, bar_w, row_h = 220, 360, 22
    body = []
    x0 = label_w
    body.append(
        f'<line x1="{x0 + bar_w * 100 // 150}" y1="30" '
        f'x2="{x0 + bar_w * 100 // 150}" y2="{40 + row_h * len(lines)}" '
        'stroke="#888" stroke-dasharray="4 3"/>'
    )
    for i, (label, percent, actual, target) in enumerate(lines):
        y = 36 + i * row_h
        share = float(min(percent, Decimal(150))) / 150 if percent is not None else 0.0
        colour = _GOOD if percent is not None and percent >= 100 else _LOW
        text = f"{percent}%" if percent is not None else "chưa có chỉ tiêu"
        body.append(f'<text x="10" y="{y + 14}" {_FONT}>{escape(label)}</text>')
        body.append(
            f'<rect x="{x0}" y="{y}" width="{bar_w * share:.1f}" height="{row_h - 6}" '
            f'fill="{colour}"/>'
        )
        detail = f"{actual}/{target}" if target is not None else str(actual)
        body.append(
            f'<text x="{x0 + bar_w + 8}" y="{y + 14}" {_FONT}>'
            f"{escape(text)} ({escape(detail)})</text>"
        )
    return _svg(label_w + bar_w + 180, 50 + row_h * len(lines), title, body)


def monthly_series(title: str, points: Sequence[tuple[dt.date, int]]) -> str:
    """Columns per month."""
    width, height, left, bottom = 640, 260, 40, 220
    top = max((n for _, n in points), default=0) or 1
    step = (width - left - 20) / max(len(points), 1)
    body = [f'<line x1="{left}" y1="{bottom}" x2="{width - 10}" y2="{bottom}" stroke="#333"/>']
    for i, (month, n) in enumerate(points):
        h = (bottom - 40) * n / top
        x = left + i * step
        body.append(
            f'<rect x="{x + 4:.1f}" y="{bottom - h:.1f}" width="{step - 8:.1f}" '
            f'height="{h:.1f}" fill="{_BAR}"/>'
        )
        body.append(
            f'<text x="{x + step / 2:.1f}" y="{bottom + 15}" {_FONT} '
            f'text-anchor="middle">{month.month:02d}/{month.year % 100:02d}</text>'
        )
        body.append(
            f'<text x="{x + step / 2:.1f}" y="{bottom - h - 4:.1f}" {_FONT} '
            f'text-anchor="middle">{n}</text>'
        )
    return _svg(width, height, title, body)


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
