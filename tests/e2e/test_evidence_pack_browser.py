"""In real Chromium: staff of a closed case's division download its evidence pack with one click and print it."""
import io
import json
import zipfile

import pytest

from processes.lifecycle import deliver_message, start_case
from tests.e2e.conftest import CHROMIUM, shot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")]


def test_the_complaints_team_downloads_a_closed_cases_evidence_pack_and_opens_the_printable_page(page, served):
    container = served["container"]
    reference = start_case(container.uow(), container.runtime, division="IA", kind="complaint",
                           complainant={"name": "Pat Jones", "email": "pat@example.org"},
                           summary="My probation appointments were moved without notice.")
    deliver_message(container.uow(), container.runtime, reference, "withdrawn", {"reason": "Resolved by phone"})

    sign_in(page, served["url"], "ia.team")
    page.goto(f"{served['url']}/cases/{reference}")
    with page.expect_download() as download_info:
        page.click("#evidence-pack-zip")
    download = download_info.value
    assert download.suggested_filename.startswith(f"evidence-{reference}-")
    archive = zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read()))
    facts = json.loads(archive.read("pack.json"))
    assert facts["reference"] == reference and facts["case"]["outcome"] == "withdrawn"
    assert [x["template"] for x in facts["letters"] if x["to_complainant"]] == ["withdrawal_confirmation"]

    page.click("#evidence-pack-page")
    page.wait_for_selector("#pack-letters")
    assert f"Evidence pack: Complaint {reference}" in page.inner_text("h1")
    assert "group policy 3.1.2" in page.inner_text("#pack-rules + p + table")
    assert "met" in page.inner_text("#pack-deadline-table")
    shot(page, "evidence-pack")
