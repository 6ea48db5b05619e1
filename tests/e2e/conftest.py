"""Browser fixtures: the app served on 127.0.0.1 in a thread, a driven clock, and headless Chromium."""
from __future__ import annotations

import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

import bootstrap
from processes.clock import SettableClock
from settings import Settings
from tests.conftest import WED_23_DEC_2026, add_categories

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
BUNDLE_JS = ROOT / "web" / "static" / "build" / "diagrams.js"
AXE = ROOT / "web" / "static" / "build" / "axe.min.js"
SHOTS = ROOT / "build" / "screenshots"  # `make screenshots` copies them into docs/screenshots
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]
PASSWORD = "correct-horse-battery"
E2E_STAFF = {
    "ia.team": [("IA", "complaints_team")],
    "ia.manager": [("IA", "line_manager"), ("IA", "investigating_officer")],
    "ia.officer": [("IA", "investigating_officer")],
    "euk.team": [("EUK", "complaints_team"), ("EUK", "line_manager")],
    "ia.admin": [("IA", "administrator")],
}


def pytest_collection_modifyitems(items):
    missing = [str(p) for p in (CHROMIUM, BUNDLE_JS) if not p.exists()]
    if missing:
        skip = pytest.mark.skip(reason=f"browser tests need {', '.join(missing)} "
                                       "(cd frontend && npm ci && npm run build)")
        for item in items:
            if "e2e" in item.keywords:
                item.add_marker(skip)


@contextmanager
def serving(app):
    """Serve a Flask app on a free 127.0.0.1 port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def served(tmp_path_factory, sqlite_template):
    """The product on a fresh SQLite file (a copy of the session's initialised template, which is what `init`
    gives), served on a free port; IA complaints run the group policy diagram."""
    from processes.accounts import hash_password
    from web import create_app
    folder = tmp_path_factory.mktemp("e2e")
    shutil.copyfile(sqlite_template, folder / "e2e.sqlite")
    clock = SettableClock(WED_23_DEC_2026)
    container = bootstrap.build(Settings(database_url=f"sqlite:///{folder}/e2e.sqlite", clock="demo"), clock=clock)
    add_categories(container)
    with container.uow() as uow:
        for division in uow.divisions.all():
            processes = dict(division.config.get("processes", {}))
            if uow.versions.published("group_complaint") and division.config.get("policy") == "group":
                processes["complaint"] = "group_complaint"
            division.config = {**division.config, "processes": processes}
        divisions = {d.code: d for d in uow.divisions.all()}
        password_hash = hash_password(PASSWORD)
        for username, memberships in E2E_STAFF.items():
            user = uow.users.add(username=username, display_name=username.replace(".", " ").title(),
                                 email=f"{username}@example.org", password_hash=password_hash)
            for code, role in memberships:
                uow.users.add_membership(user.id, divisions[code].id, role)
        uow.commit()
    with serving(create_app(container, TESTING=False)) as url:
        yield {"url": url, "container": container, "clock": clock}
    container.engine.dispose()


@pytest.fixture(autouse=True)
def fresh_sign_in_limit():
    """A journey signs in as a dozen people from one address; the per-address limit counts one test at a time."""
    from web.extensions import limiter
    if limiter._storage is not None:  # no app has been made yet in this process: nothing counted
        limiter.reset()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """When a browser test fails, keep what the page showed: its text in the report, HTML and screenshot in build/."""
    outcome = yield
    report = outcome.get_result()
    page = item.funcargs.get("page") if report.when == "call" and report.failed else None
    if page is None:
        return
    try:
        folder = ROOT / "build" / "e2e-failures"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{item.name}.html").write_text(page.content())
        page.screenshot(path=str(folder / f"{item.name}.png"), full_page=True)
        report.sections.append(("page at failure", f"{page.url}\n{page.inner_text('main')[:4000]}"))
    except Exception as error:  # the page may be gone; the failure itself is what matters
        report.sections.append(("page at failure", f"could not read the page: {error}"))


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the session; every test gets a context of its own (no cookies or storage shared)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


def sign_in(page, base: str, username: str) -> None:
    page.goto("about:blank")  # stop the last page's own requests first: a late reply would set an older session
    page.context.clear_cookies()
    page.goto(f"{base}/login?as={username}")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/login" not in page.url, f"{username} could not sign in: {page.inner_text('main')[:300]}"


def serious_violations(page) -> list[dict]:
    """axe-core's serious and critical findings on the current page."""
    origin = page.url.split("/", 3)[:3]
    page.add_script_tag(url="/".join(origin) + "/static/build/axe.min.js")  # same origin, so the CSP allows it
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""")
    return [v for v in found if v["impact"] in ("serious", "critical")]


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
