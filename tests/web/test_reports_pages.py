"""The reports pages: charts and tables, the CSV matching the page, the pack, scoping and the admin pages."""
import csv
import io
import zipfile
from html.parser import HTMLParser

import pytest

from tests import reports_seed as seed
from web import create_app


class Tables(HTMLParser):
    """Collects each report table's caption and cell texts."""

    def __init__(self):
        super().__init__()
        self.tables, self._cell, self._row, self._caption = [], None, None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("class", "report-table") in attrs:
            self.tables.append({"caption": "", "rows": []})
        elif self.tables and tag == "caption":
            self._caption = ""
        elif self.tables and tag == "tr":
            self._row = []
        elif self._row is not None and tag in ("th", "td"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"], self._caption = self._caption.strip(), None
        elif tag in ("th", "td") and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1]["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        elif self._caption is not None:
            self._caption += data


@pytest.fixture
def app(container, clock):
    clock.set(seed.AS_OF)
    cases = seed.generate_year(per_division=80)
    seed.insert(container, cases)
    seed.add_learning(container, cases)
    seed.add_user(container, "ia_team", {"IA": ["complaints_team"]})
    seed.add_user(container, "group_lead", {"IA": ["governance"]}, group_wide=True)
    seed.add_user(container, "admin", {"IA": ["administrator"]})
    app = create_app(container, TESTING=True, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    return app


def page_tables(html: str):
    parser = Tables()
    parser.feed(html)
    return parser.tables


def test_reports_page_shows_a_chart_and_a_table_for_every_figure(app):
    client = seed.sign_in(app.test_client(), "ia_team")
    page = client.get("/reports/?scope=IA&period=2025-06")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Interventions Alliance, June 2025" in html
    assert html.count("<svg") >= 8 and 'role="img"' in html
    captions = [t["caption"] for t in page_tables(html)]
    for title in ("Cases received by kind", "SLA compliance by deadline", "Working days to respond",
                  "Escalation and appeal rates", "Learning actions", "Compliments received, by team", "Month on month"):
        assert title in captions


def test_csv_download_matches_the_tables_on_the_page(app):
    client = seed.sign_in(app.test_client(), "group_lead")
    html = client.get("/reports/?scope=group&period=2025-Q3").get_data(as_text=True)
    download = client.get("/reports/report.csv?scope=group&period=2025-Q3")
    assert download.mimetype == "text/csv"
    assert 'filename="complaints-report-group-2025-Q3.csv"' in download.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
    assert rows[0] == ["Report", "Seetec Group (all divisions), Q3 2025 (July–September 2025)"]
    from_csv = {}
    for row in rows[1:]:
        from_csv.setdefault(row[0], []).append(row[1:])
    from_page = {t["caption"]: t["rows"] for t in page_tables(html)}
    assert from_page == from_csv
    assert sum(len(v) for v in from_page.values()) > 40


def test_printable_pack_has_the_cover_every_figure_and_print_styles(app):
    client = seed.sign_in(app.test_client(), "ia_team")
    pack = client.get("/reports/pack?scope=IA&period=2025-06").get_data(as_text=True)
    assert "Monthly complaints and compliments report" in pack and "reports.css" in pack
    assert "site-header" not in pack and "<script>" not in pack
    assert len(page_tables(pack)) == 12  # every figure, the outcomes decided at each stage included


def test_division_staff_see_only_their_division_and_group_users_see_the_group(app):
    ia = seed.sign_in(app.test_client(), "ia_team")
    assert ia.get("/reports/?scope=ST&period=2025-06").status_code == 403
    assert ia.get("/reports/report.csv?scope=group&period=2025-06").status_code == 403
    assert "Seetec Group (all divisions)" not in ia.get("/reports/").get_data(as_text=True)
    lead = seed.sign_in(app.test_client(), "group_lead")
    page = lead.get("/reports/").get_data(as_text=True)
    assert "Seetec Group (all divisions), December 2025" in page and "Seetec Training" in page


def test_reports_need_sign_in_and_a_bad_period_is_explained(app):
    assert app.test_client().get("/reports/").status_code == 302
    client = seed.sign_in(app.test_client(), "ia_team")
    response = client.get("/reports/?period=June")
    assert response.status_code == 400 and "2026-Q4" in response.get_data(as_text=True)


def test_the_learning_register_lists_marks_best_practice_and_is_in_the_navigation(app):
    client = seed.sign_in(app.test_client(), "ia_team")
    page = client.get("/reports/learning?overdue=1").get_data(as_text=True)
    assert 'href="/reports/learning"' in page and "Overdue" in page and "ST-2025-" not in page
    action_id = int(page.split('action="/reports/learning/')[1].split('"')[0])
    assert client.post(f"/reports/learning/{action_id}", data={"best_practice": "1"}).status_code == 302
    shared = client.get("/reports/learning?best_practice=1").get_data(as_text=True)
    assert f'/reports/learning/{action_id}"' in shared and "To share" in shared


def test_administrators_maintain_categories_and_others_may_not(app):
    admin = seed.sign_in(app.test_client(), "admin")
    added = admin.post("/reports/categories", data={"code": "billing", "label": "Billing", "kind": "theme"})
    assert added.status_code == 302
    assert "Billing" in admin.get("/reports/categories").get_data(as_text=True)
    assert admin.post("/reports/categories", data={"code": "Bad Code", "label": "", "kind": "x"}).status_code == 400
    assert seed.sign_in(app.test_client(), "ia_team").get("/reports/categories").status_code == 403


def test_subject_access_export_downloads_a_zip_and_legal_hold_is_recorded(app):
    admin = seed.sign_in(app.test_client(), "admin")
    response = admin.post("/reports/retention/export", data={"subject": "IA-2025-000001"})
    assert response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert "manifest.json" in names and any(n.endswith("/case.json") for n in names)
    assert admin.post("/reports/retention/hold", data={"reference": "IA-2025-000001", "reason": "Court order"}
                      ).status_code == 302
    assert "Retention and subject access" in admin.get("/reports/retention").get_data(as_text=True)
    assert seed.sign_in(app.test_client(), "ia_team").post(
        "/reports/retention/hold", data={"reference": "IA-2025-000001", "reason": "x"}).status_code == 403


def test_the_report_counts_each_stages_own_outcomes(app):
    client = seed.sign_in(app.test_client(), "group_lead")
    html = client.get("/reports/?scope=group&period=2025-Q3").get_data(as_text=True)
    [table] = [t for t in page_tables(html) if t["caption"] == "Outcomes decided at each stage"]
    stages = {row[0] for row in table["rows"]}
    assert {"Informal stage 1", "Formal stage 2"} <= stages
    assert any(row[:2] == ["Informal stage 1", "Not upheld"] for row in table["rows"])
