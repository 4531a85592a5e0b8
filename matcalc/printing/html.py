"""Small HTML for the rich display of results (Jupyter's ``_repr_html_``, the web page): a
table and a log–log plot as inline SVG, made with the standard library alone.

Every text that goes in is escaped; numbers are written with ``number``.
"""

from __future__ import annotations

import math
from html import escape

from .unicode import SUPERSCRIPT

PLOT_WIDTH, PLOT_HEIGHT = 380, 230
MARGIN = {"left": 58, "right": 14, "top": 12, "bottom": 40}
FLOOR = 1e-17  # errors below this (exact agreement) are drawn at it


def number(x: float) -> str:
    """x in 3 significant digits, with a Unicode exponent: 6.2·10⁻¹²."""
    if x is None or not math.isfinite(x):
        return escape(str(x))
    if x == 0 or 1e-3 <= abs(x) < 1e4:
        return f"{x:.3g}"
    mantissa, exponent = f"{x:.2e}".split("e")
    return f"{float(mantissa):.3g}·10{power(int(exponent))}"


def power(k: int) -> str:
    """The exponent k as superscript digits: ⁻¹²."""
    return str(k).translate(SUPERSCRIPT)


def table(head: list[str], rows: list[list[str]], cls: str = "matcalc-table") -> str:
    """An HTML table; ``head`` and the cells are plain text (escaped here)."""
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


def _decades(values: list[float]) -> tuple[int, int]:
    logs = [math.log10(max(v, FLOOR)) for v in values]
    return math.floor(min(logs)), math.ceil(max(logs)) if max(logs) > min(logs) else math.floor(min(logs)) + 1


def loglog(points: list[tuple[float, float]], *, xlabel: str, ylabel: str, title: str,
           level: float | None = None, level_label: str = "") -> str:
    """An inline SVG plot of the (x, y) points on log–log axes, with a dashed line at y =
    ``level``; ``title`` is its accessible name."""
    xs, ys = [p[0] for p in points], [max(p[1], FLOOR) for p in points]
    (x0, x1), (y0, y1) = _decades(xs), _decades(ys + ([level] if level else []))
    w = PLOT_WIDTH - MARGIN["left"] - MARGIN["right"]
    h = PLOT_HEIGHT - MARGIN["top"] - MARGIN["bottom"]

    def px(x):
        return MARGIN["left"] + (math.log10(x) - x0) / (x1 - x0) * w

    def py(y):
        return MARGIN["top"] + (y1 - math.log10(max(y, FLOOR))) / (y1 - y0) * h

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="matcalc-plot" role="img" width="{PLOT_WIDTH}" '
             f'height="{PLOT_HEIGHT}" viewBox="0 0 {PLOT_WIDTH} {PLOT_HEIGHT}" font-family="sans-serif" '
             f'font-size="11"><title>{escape(title)}</title>',
             f'<rect x="{MARGIN["left"]}" y="{MARGIN["top"]}" width="{w}" height="{h}" fill="none" stroke="#999"/>']
    for k in range(x0, x1 + 1, max(1, (x1 - x0 + 5) // 6)):
        parts.append(f'<text x="{px(10.0**k):.1f}" y="{MARGIN["top"] + h + 15}" text-anchor="middle">'
                     f'10{power(k)}</text>')
    for k in range(y0, y1 + 1, max(1, (y1 - y0 + 5) // 6)):
        parts.append(f'<line x1="{MARGIN["left"]}" x2="{MARGIN["left"] + w}" y1="{py(10.0**k):.1f}" '
                     f'y2="{py(10.0**k):.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{MARGIN["left"] - 5}" y="{py(10.0**k) + 4:.1f}" text-anchor="end">10{power(k)}</text>')
    if level:
        parts.append(f'<line x1="{MARGIN["left"]}" x2="{MARGIN["left"] + w}" y1="{py(level):.1f}" '
                     f'y2="{py(level):.1f}" stroke="#c60" stroke-dasharray="5,4"/>')
        parts.append(f'<text x="{MARGIN["left"] + w - 4}" y="{py(level) - 4:.1f}" text-anchor="end" '
                     f'fill="#c60">{escape(level_label)}</text>')
    line = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys))
    parts.append(f'<polyline points="{line}" fill="none" stroke="#1f5fa8" stroke-width="1.5"/>')
    parts += [f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="2.5" fill="#1f5fa8"/>' for x, y in zip(xs, ys)]
    parts.append(f'<text x="{MARGIN["left"] + w / 2}" y="{PLOT_HEIGHT - 6}" text-anchor="middle">'
                 f'{escape(xlabel)}</text>')
    parts.append(f'<text transform="translate(13,{MARGIN["top"] + h / 2}) rotate(-90)" text-anchor="middle">'
                 f'{escape(ylabel)}</text>')
    return "".join(parts) + "</svg>"
