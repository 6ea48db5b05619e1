"""`complaints serve` (what `make run` starts) serves the product on a production WSGI server, prints its URL,
and runs the scheduler in the same process."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMPLAINTS = Path(sys.executable).with_name("complaints")
GUARD_SECONDS = 90  # a failure guard for a server that never comes up, not a timing assertion


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_health_on_the_printed_url_without_the_development_server_warning(tmp_path):
    port, mail_port = free_port(), free_port()
    env = {**os.environ, "COMPLAINTS_DATABASE_URL": f"sqlite:///{tmp_path}/complaints.sqlite",
           "COMPLAINTS_CLOCK": "demo", "COMPLAINTS_PORT": str(port), "COMPLAINTS_SMTP_PORT": str(mail_port),
           "COMPLAINTS_DEMO_MAIL_DIR": str(tmp_path / "mail"), "COMPLAINTS_SWEEP_SECONDS": "0.5"}
    subprocess.run([COMPLAINTS, "init"], env=env, cwd=tmp_path, check=True, capture_output=True,
                   timeout=GUARD_SECONDS)
    output = tmp_path / "serve.log"
    with output.open("w") as log:
        server = subprocess.Popen([COMPLAINTS, "serve"], env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/"
        health = None
        deadline = time.monotonic() + GUARD_SECONDS
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url + "healthz", timeout=5) as response:
                    health = response.status
                    break
            except urllib.error.HTTPError as exc:  # 503 until the in-process scheduler has beaten
                health = exc.code
            except OSError:
                pass
            time.sleep(0.3)
        assert health == 200, output.read_text()
        with urllib.request.urlopen(url, timeout=5) as response:
            assert response.headers["Server"] == "complaints"
    finally:
        server.terminate()
        server.wait(timeout=GUARD_SECONDS)
    printed = output.read_text()
    assert f"Complaints is running at {url}" in printed
    assert "development server" not in printed and "Werkzeug" not in printed
