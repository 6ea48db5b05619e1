"""Bytes a governance reviewer's browser loads to open the review of a group lifecycle change.

Usage: .venv/bin/python benchmarks/review_page_weight.py

On a scratch SQLite database: publishes the shipped bundles, drafts v2 of Interventions Alliance's complaint process
(the group lifecycle) with one shared diagram renamed, and fetches its review page with the app's test client; then
every script and style sheet the page links and, where the page loads diagrams on demand, the diagram pair it opens
on. Prints each part and the total
(uncompressed bytes, as the app serves them).
"""
from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bootstrap  # noqa: E402
from cli import init  # noqa: E402
from processes.bundle import bundle_from_directory  # noqa: E402
from processes.governance import save_version_draft  # noqa: E402
from settings import Settings  # noqa: E402
from tests.governance_support import add_user, sign_in, web_client  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHANGED = "shared/investigation.bpmn"


def main() -> None:
    folder = tempfile.mkdtemp()
    container = bootstrap.build(Settings(database_url=f"sqlite:///{folder}/weight.sqlite", clock="demo"))
    init(container)
    analyst = add_user(container, "ana", "process_analyst")
    add_user(container, "gill", "governance")
    shipped = bundle_from_directory(ROOT / "bpmn" / "ia_complaint")
    changed = shipped.files[CHANGED].decode().replace('name="', 'name="Checked: ', 1)
    saved = save_version_draft(container.uow(), container.runtime, "ia_complaint", {CHANGED: changed}, analyst)
    client = sign_in(web_client(container), "gill")
    html = client.get(f"/governance/versions/{saved.version_id}").get_data()
    parts = [("review page HTML", len(html))]
    for asset in re.findall(rb'(?:src|href)="(/static/[^"]+)"', html):
        parts.append((asset.decode(), len(client.get(asset.decode()).get_data())))
    found = re.search(rb'<script type="application/json" id="review-data">(.*?)</script>', html, re.S)
    data = json.loads(found.group(1)) if found else {}
    if "pairUrl" in data:
        url = data["pairUrl"] + str(data.get("first", 0))
        parts.append((f"{url} (opened on {data['files'][data.get('first', 0)]['file']})",
                      len(client.get(url).get_data())))
    for name, size in parts:
        print(f"{size:>10,}  {name}")
    print(f"{sum(size for _, size in parts):>10,}  total")


if __name__ == "__main__":
    main()
