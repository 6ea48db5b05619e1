"""Reports: monthly and quarterly figures with charts and tables, CSV download and a printable board pack."""
from __future__ import annotations

from flask import Blueprint, Response, g, render_template, request

from processes.calendar import LONDON
from processes.csv_export import csv_text
from processes.reports import available_scopes, period_choices, report_for

from ..security import container, roles_required
from .charts import chart

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")
REPORT_ROLES = ("complaints_team", "line_manager", "investigating_officer", "appeal_panel", "psrd_director", "hr",
                "governance", "administrator")


def _report():
    c = container()
    return report_for(c.reporting_uow(), g.actor, request.args.get("scope"), request.args.get("period"), c.clock.now())


@bp.route("/")
@roles_required(*REPORT_ROLES)
def index():
    """Show a division's (or the group's) report for a month or quarter."""
    c = container()
    report = _report()
    today = c.clock.now().astimezone(LONDON).date()
    return render_template("reports/index.html", report=report, chart=chart,
                           scopes=available_scopes(c.reporting_uow(), g.actor), periods=period_choices(today))


@bp.route("/pack")
@roles_required(*REPORT_ROLES)
def pack():
    """The printable board pack of the same report, laid out for A4 and PDF."""
    return render_template("reports/pack.html", report=_report(), chart=chart)


@bp.route("/report.csv")
@roles_required(*REPORT_ROLES)
def download_csv():
    """The report's tables as one CSV: for each table a heading row, then its rows as the page shows them."""
    report = _report()
    name = f"complaints-report-{report.scope}-{report.period.key}.csv"
    return Response(csv_text(csv_rows(report)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def csv_rows(report) -> list[list[str]]:
    """Rows of the CSV: the table's title then its column headings, then the title then each row's cells."""
    rows = [["Report", f"{report.scope_label}, {report.period.label}"]]
    for table in report.tables:
        rows.append([table.title, *table.columns])
        rows += [[table.title, *cells] for cells in table.display_rows()]
    return rows


from . import admin_views, learning_views  # noqa: E402,F401  (routes on this blueprint)
