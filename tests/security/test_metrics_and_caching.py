"""/metrics answers only a scraper holding the metrics token, and no page with personal data may be cached.

/metrics publishes per-division counts: with no COMPLAINTS_METRICS_TOKEN it answers 404 (switched off), and with
one it answers 401 to anyone who does not present it as a bearer token. Every page the app renders, the public status
link and the public forms' answers included, is sent with Cache-Control: no-store; only /static may be cached.
"""
from __future__ import annotations

import re

import pytest

from tests.web.conftest import api, client, login, staff, webtest  # noqa: F401  (fixtures)
from web import create_app

TOKEN = "a-long-random-metrics-token-0123456789"
COMPLAINT = {"summary": "I waited an hour and nobody saw me.", "happened_on": "2026-12-01", "on_behalf": "no",
             "name": "Pat Jones", "email": "pat.jones@example.org", "contact_preference": "email",
             "needs_support": "no"}


@pytest.fixture
def app(webtest, staff):
    """The app with rate limits off (they have tests of their own), so no limiter state carries between modules."""
    return create_app(webtest, TESTING=True, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)


def test_metrics_are_switched_off_with_404_until_an_operator_sets_a_token(client):
    response = client.get("/metrics", headers={"Authorization": "Bearer "})
    body = response.get_data(as_text=True)
    assert response.status_code == 404 and "COMPLAINTS_METRICS_TOKEN" in body
    assert "complaints_cases" not in body


@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Bearer wrong-token", f"Bearer {TOKEN[:-1]}",
                                           f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN, "Bearer ünïcode"])
def test_metrics_without_the_right_bearer_token_get_401_and_no_figures(client, webtest, authorization):
    webtest.settings.metrics_token = TOKEN
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert "complaints_" not in response.get_data(as_text=True)


def test_metrics_with_the_token_give_the_figures_and_are_not_cached(client, webtest):
    webtest.settings.metrics_token = TOKEN
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200 and "complaints_cases" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_the_metrics_token_is_read_from_the_environment(monkeypatch):
    from settings import Settings
    monkeypatch.setenv("COMPLAINTS_METRICS_TOKEN", TOKEN)
    assert Settings.from_env().metrics_token == TOKEN


def submit(client) -> tuple[object, str]:
    answer = client.post("/public/IA/complaint", data={**COMPLAINT, "step": "check"})
    assert answer.status_code == 302
    confirmation = client.get(answer.location)
    link = re.search(r'id="status-link" href="([^"]+)"', confirmation.get_data(as_text=True)).group(1)
    return (answer, confirmation), link.replace("http://localhost", "")


def test_every_public_page_that_shows_what_a_complainant_told_us_is_sent_no_store(client):
    step = client.post("/public/IA/complaint", data={**COMPLAINT, "step": "you"})
    assert "pat.jones@example.org" in step.get_data(as_text=True)  # the step pages echo what was typed
    (answer, confirmation), link = submit(client)
    status = client.get(link)
    asked = client.post(link, data={"message": "escalation_requested", "reasons": "Too early"})
    compliment = client.post("/public/IA/compliment", data={"summary": "Sam was brilliant", "may_share": "yes"})
    for response in (step, answer, confirmation, status, asked, compliment):
        assert response.headers.get("Cache-Control") == "no-store", response.request.path


def test_staff_pages_api_answers_and_error_pages_are_sent_no_store(client, staff):
    pages = [client.get("/login"), client.get("/public/status/not-a-real-token"),
             client.get("/api/v1/cases", headers=api("ia.team", staff))]
    login(client, "ia.team")
    pages += [client.get("/inbox/"), client.get("/cases/")]
    for response in pages:
        assert response.headers.get("Cache-Control") == "no-store", response.request.path


def test_static_assets_may_still_be_cached(client):
    response = client.get("/static/app.css")
    assert response.status_code == 200 and response.headers.get("Cache-Control") != "no-store"
