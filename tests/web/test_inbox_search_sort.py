"""The inbox sorts by due date, received date and case, finds a case by reference or complainant name, and shows
who complained and what about on each row."""
from __future__ import annotations

import re

import pytest

from tests.web.conftest import login, open_case

pytestmark = pytest.mark.both_databases  # search and sort are SQL (LIKE, NULL order)


def _references(html: str) -> list[str]:
    return re.findall(r'href="/cases/([A-Z]+-\d{4}-\d{6})"', html)


def _three(webtest):
    first = open_case(webtest, days_ago=5, name="Zoe Adams", summary="My travel expenses were not paid.\nSecond line")
    second = open_case(webtest, days_ago=1, name="Bob O'Brien", summary="The adviser was rude to me.")
    third = open_case(webtest, days_ago=3, name="Ann Lee", summary="x" * 300)
    return first, second, third


def test_each_row_shows_the_complainant_and_a_one_line_summary(client, webtest):
    first, _second, third = _three(webtest)
    login(client, "ia.team")
    html = client.get("/inbox").get_data(as_text=True)
    assert "Zoe Adams" in html and "My travel expenses were not paid." in html and "Second line" not in html
    assert "x" * 89 + "…" in html and "x" * 100 not in html
    assert "received Fri 18 Dec 2026" in html


def test_the_inbox_sorts_by_received_date_either_way_and_by_case_reference(client, webtest):
    first, second, third = _three(webtest)
    login(client, "ia.team")
    assert _references(client.get("/inbox?sort=received").get_data(as_text=True)) == [first, third, second]
    assert _references(client.get("/inbox?sort=newest").get_data(as_text=True)) == [second, third, first]
    assert _references(client.get("/inbox?sort=case").get_data(as_text=True)) == sorted([first, second, third])
    html = client.get("/inbox?sort=nonsense").get_data(as_text=True)
    assert _references(html) == [first, third, second]  # an unknown sort is the default: soonest due first
    assert '<option value="due" selected>' in html


def test_search_finds_a_case_by_part_of_its_reference_or_the_complainants_name(client, webtest):
    first, second, _third = _three(webtest)
    login(client, "ia.team")
    assert _references(client.get("/inbox?q=o%27brien").get_data(as_text=True)) == [second]
    assert _references(client.get(f"/inbox?q={first[-6:]}").get_data(as_text=True)) == [first]
    assert _references(client.get(f"/inbox?q={first.lower()}").get_data(as_text=True)) == [first]
    empty = client.get("/inbox?q=%25").get_data(as_text=True)  # a wildcard is searched for as itself
    assert _references(empty) == [] and "No tasks match “%”" in empty


def test_search_and_sort_stay_inside_my_divisions(client, webtest):
    open_case(webtest, division="EUK", name="Zoe Adams")
    mine = open_case(webtest, name="Zoe Adams")
    login(client, "ia.team")
    assert _references(client.get("/inbox?q=zoe&sort=case").get_data(as_text=True)) == [mine]


def test_an_overlong_search_is_cut_short_and_odd_characters_are_searched_as_themselves(client, webtest):
    _three(webtest)
    login(client, "ia.team")
    response = client.get("/inbox?q=" + "a" * 5000 + "&sort=received&page=1")
    assert response.status_code == 200
    assert client.get("/inbox?q=%5C_").status_code == 200
    assert client.get("/inbox?q=%00").status_code == 400  # the request bounds refuse a NUL everywhere
