"""Server-rendered SVG charts: plain shapes and text, no script, readable at a glance and in print."""
from __future__ import annotations

from markupsafe import Markup, escape

from processes.reports import Table, format_cell

COLOURS = ("#1d4f91", "#b35c00", "#00703c")
DASHES = ("", "6 4", "2 3")
WIDTH, LABEL_WIDTH, ROW = 680, 250, 30


def chart(table: Table) -> Markup | None:
    """The chart for a table, or None when it has nothing to draw."""
    if not table.rows or table.chart is None:
        return None
    if table.chart == "trend":
        return trend_chart(table)
    return bar_chart(table, percent=table.chart == "percent")


def bar_chart(table: Table, percent: bool = False) -> Markup:
    """Horizontal bars, one per row, labelled with the row's name and its value."""
    rows = [r for r in table.rows if r[table.value_column] is not None]
    two_part = percent and len(table.columns) > 4  # e.g. SLA rows: deadline kind and stage
    label_of = (lambda r: f"{r[0]}, {' '.join(str(r[1]).split()[-2:])}") if two_part else (lambda r: str(r[0]))
    top = 100.0 if percent else max([float(r[table.value_column]) for r in rows] + [1.0])
    plot = WIDTH - LABEL_WIDTH - 70
    height = ROW * len(rows) + 10
    parts = [_open(table, height)]
    for i, row in enumerate(rows):
        y = 5 + i * ROW
        value = float(row[table.value_column])
        length = 0 if top == 0 else plot * value / top
        text = format_cell(row[table.value_column]) + ("%" if percent else "")
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 19}" text-anchor="end" class="chart-label">'
                     f'{escape(_clip(label_of(row)))}</text>')
        if percent:
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{plot}" height="{ROW - 10}" '
                         'class="chart-track"/>')
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{length:.1f}" height="{ROW - 10}" '
                     f'fill="{COLOURS[0]}"/>')
        parts.append(f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 19}" class="chart-value">{escape(text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def trend_chart(table: Table) -> Markup:
    """Lines for the count columns across the months, each with its own colour and dash, and a legend."""
    series = [i for i, c in enumerate(table.columns) if i > 0 and not c.startswith("%")]
    months = [r[0] for r in table.rows]
    top = max([float(r[i] or 0) for r in table.rows for i in series] + [1.0])
    left, right, plot_top, plot_height = 48, WIDTH - 12, 34, 180
    step = (right - left) / max(1, len(months) - 1)
    parts = [_open(table, plot_top + plot_height + 40)]
    for tick in range(5):
        value = top * tick / 4
        y = plot_top + plot_height - plot_height * tick / 4
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" class="chart-grid"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="chart-axis">{value:.0f}</text>')
    for n, month in enumerate(months):
        x = left + n * step
        parts.append(f'<text x="{x:.1f}" y="{plot_top + plot_height + 18}" text-anchor="middle" class="chart-axis">'
                     f'{escape(month.split()[0])}</text>')
    for k, column in enumerate(series):
        colour, dash = COLOURS[k % 3], DASHES[k % 3]
        heights = [plot_height * float(r[column] or 0) / top for r in table.rows]
        points = " ".join(f"{left + n * step:.1f},{plot_top + plot_height - h:.1f}" for n, h in enumerate(heights))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5" '
                     f'stroke-dasharray="{dash}"/>')
        for point in points.split():
            x, y = point.split(",")
            parts.append(f'<circle cx="{x}" cy="{y}" r="3" fill="{colour}"/>')
        lx = left + k * 200
        parts.append(f'<line x1="{lx}" x2="{lx + 28}" y1="12" y2="12" stroke="{colour}" stroke-width="2.5" '
                     f'stroke-dasharray="{dash}"/><text x="{lx + 34}" y="16" class="chart-label">'
                     f'{escape(table.columns[column])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _open(table: Table, height: int) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
            f'role="img" aria-labelledby="chart-{table.key}-title" class="chart" preserveAspectRatio="xMinYMin meet">'
            f'<title id="chart-{table.key}-title">{escape(table.title)} (chart; the table below gives the figures)'
            f'</title>')


def _clip(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
