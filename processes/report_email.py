"""A report as an email: subject, plain text and simple HTML tables that mail clients show faithfully."""
from __future__ import annotations

from html import escape

from .reports import Report


def render_pack(report: Report, title: str) -> tuple[str, str, str]:
    """Subject, text and HTML for a report pack."""
    subject = f"{title}: {report.scope_label}, {report.period.label}"
    lines = [subject, f"As at {report.as_of:%d %B %Y %H:%M} UTC", ""]
    html = [f"<h1>{escape(subject)}</h1>", f"<p>As at {report.as_of:%d %B %Y %H:%M} UTC</p>"]
    for table in report.tables:
        rows = table.display_rows()
        lines += [table.title, "-" * len(table.title)]
        widths = [max(len(str(x)) for x in col) for col in zip(table.columns, *rows, strict=True)] if rows else []
        if rows:
            lines.append("  ".join(c.ljust(w) for c, w in zip(table.columns, widths, strict=True)))
            lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
        else:
            lines.append("Nothing to report.")
        if table.note:
            lines.append(table.note)
        lines.append("")
        html.append(f"<h2>{escape(table.title)}</h2>")
        if rows:
            head = "".join(f"<th scope=\"col\" style=\"text-align:left;padding:4px 8px\">{escape(c)}</th>"
                           for c in table.columns)
            body = "".join("<tr>" + "".join(f"<td style=\"padding:4px 8px\">{escape(c)}</td>" for c in row) + "</tr>"
                           for row in rows)
            html.append(f"<table style=\"border-collapse:collapse\"><thead><tr>{head}</tr></thead>"
                        f"<tbody>{body}</tbody></table>")
        else:
            html.append("<p>Nothing to report.</p>")
        if table.note:
            html.append(f"<p><small>{escape(table.note)}</small></p>")
    return subject, "\n".join(lines), "\n".join(html)
