"""Guessing passwords is bounded where it counts: a username is locked, with a growing wait, after repeated
failures (in the database, so every worker sees it), without telling whether the account exists; and the
per-address sign-in limit is kept in shared storage, so two app processes do not double it."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

import bootstrap
from processes.access import SYSTEM
from processes.accounts import LOCK_AFTER, hash_password
from processes.admin import set_password
from storage import models as m
from web import create_app
from web.extensions import limiter

pytestmark = pytest.mark.both_databases  # sign-in failures are counted with a dialect-specific upsert

PASSWORD = "correct-horse-battery"
ROOT = Path(__file__).resolve().parents[2]
REDIS = ("127.0.0.1", 6379)


@pytest.fixture
def person(container):
    with container.uow() as uow:
        user = uow.users.add(username="ia.team", display_name="Ia Team", email="ia.team@example.org",
                             password_hash=hash_password(PASSWORD), is_active=True)
        uow.users.add_membership(user.id, uow.divisions.by_code("IA").id, "complaints_team")
        uow.commit()
        return user.id


def _client(container):
    app = create_app(container, TESTING=True, WTF_CSRF_ENABLED=False)
    limiter.reset()
    return app.test_client()


def _try(client, username: str, password: str):
    response = client.post("/login", data={"username": username, "password": password})
    return response.status_code, response.get_data(as_text=True).replace("&#39;", "'"), response.headers


def test_a_username_is_locked_after_repeated_failures_and_the_page_says_when_to_try_again(container, person):
    client = _client(container)
    answers = [_try(client, "ia.team", "wrong-password-x")[0] for _ in range(LOCK_AFTER)]
    assert answers == [401] * (LOCK_AFTER - 1) + [429]
    status, html, headers = _try(client, "ia.team", PASSWORD)  # the right password does not open a locked name
    assert status == 429 and "Too many unsuccessful sign-ins" in html
    assert "Try again after 10:01 today (UK time)" in html and int(headers["Retry-After"]) == 60
    assert client.get("/inbox").status_code == 302  # still not signed in
    container.clock.advance(seconds=61)
    assert _try(client, "ia.team", PASSWORD)[0] == 302
    with container.session_factory() as session:
        assert session.get(m.SignInFailure, "ia.team") is None  # a success forgets the failures


def test_the_wait_doubles_with_each_further_failure(container, person):
    client = _client(container)
    for _ in range(LOCK_AFTER):
        _try(client, "ia.team", "wrong-password-x")
    container.clock.advance(seconds=61)
    status, html, headers = _try(client, "ia.team", "wrong-password-y")
    assert status == 429 and int(headers["Retry-After"]) == 120 and "10:03" in html


def test_a_lockout_reads_the_same_whether_or_not_the_account_exists(container, person):
    client = _client(container)
    real = [_try(client, "ia.team", "wrong-password-x")[:2] for _ in range(LOCK_AFTER + 1)]
    limiter.reset()  # the per-address limit is not what this compares
    made_up = [_try(client, "nobody.here", "wrong-password-x")[:2] for _ in range(LOCK_AFTER + 1)]
    assert [status for status, _ in real] == [status for status, _ in made_up]
    assert [_message(html) for _, html in real] == [_message(html) for _, html in made_up]


def _message(html: str) -> str:
    start = html.index('<h2 id="error-summary-title">')
    return html[start:html.index("</div>", start)]


def test_the_lockout_holds_across_app_instances_sharing_the_database(container, settings, clock, person):
    other = bootstrap.build(settings, clock=clock)  # another worker: its own engine and app
    try:
        first, second = _client(container), create_app(other, TESTING=True, WTF_CSRF_ENABLED=False).test_client()
        for i in range(LOCK_AFTER - 1):
            _try(first if i % 2 else second, "ia.team", "wrong-password-x")
        assert _try(first, "ia.team", "wrong-password-x")[0] == 429
        assert _try(second, "ia.team", PASSWORD)[0] == 429
    finally:
        other.engine.dispose()


def test_setting_a_new_password_lifts_the_lockout(container, person):
    client = _client(container)
    for _ in range(LOCK_AFTER):
        _try(client, "ia.team", "wrong-password-x")
    set_password(container.uow(), SYSTEM_ADMIN, person, "a-brand-new-password")
    assert _try(client, "ia.team", "a-brand-new-password")[0] == 302


SYSTEM_ADMIN = SYSTEM.__class__("system-admin", None, {"IA": frozenset({"administrator"})}, True)


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


SERVER = """
import sys
import bootstrap
from settings import Settings
from web import create_app
from werkzeug.serving import make_server
url, storage, prefix, port_file = sys.argv[1:5]
container = bootstrap.build(Settings(database_url=url, ratelimit_storage_url=storage, clock="system", demo_mail=False))
app = create_app(container, RATELIMIT_KEY_PREFIX=prefix, WTF_CSRF_ENABLED=False)
server = make_server("127.0.0.1", 0, app)
open(port_file + ".tmp", "w").write(str(server.server_port))
import os; os.replace(port_file + ".tmp", port_file)
server.serve_forever()
"""


def _start(tmp_path, name, url, storage, prefix):
    script, port_file = tmp_path / "server.py", tmp_path / f"{name}.port"
    script.write_text(SERVER)
    process = subprocess.Popen([sys.executable, str(script), url, storage, prefix, str(port_file)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not port_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(process.stderr.read().decode()[-2000:])
        time.sleep(0.1)
    return process, int(port_file.read_text())


def _post_login(port: int, username: str) -> int:
    import http.client
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/login", body=f"username={username}&password=wrong-password-x",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        return connection.getresponse().status
    finally:
        connection.close()


def _statuses(tmp_path, url, storage) -> list[int]:
    """Twelve wrong sign-ins, each with a fresh username (so no lockout), alternating between two processes."""
    prefix = f"complaints-test-{uuid.uuid4().hex[:8]}"
    servers = [_start(tmp_path, f"{prefix}-{n}", url, storage, prefix) for n in range(2)]
    try:
        return [_post_login(servers[i % 2][1], f"guess.{uuid.uuid4().hex[:8]}") for i in range(12)]
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait(timeout=10)


def test_the_sign_in_limit_holds_across_two_processes_sharing_redis(container, settings, tmp_path):
    if not _redis_up():
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    url = settings.database_url
    shared = _statuses(tmp_path, url, "redis://127.0.0.1:6379/0")
    assert shared == [401] * 10 + [429, 429]  # "10 per minute" from one address, whichever process answers
    separate = _statuses(tmp_path, url, "memory://")
    assert separate == [401] * 12  # the old per-process storage: each process allowed its own ten
