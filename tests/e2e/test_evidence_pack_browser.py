"""In real Chromium: a complaint made and withdrawn on the public pages; staff of its division download its
evidence pack with one click, as a zip and as a PDF, and print it; another division's staff are refused."""
import io
import json
import zipfile

import pytest

from tests.e2e.conftest import CHROMIUM, shot, sign_in
from tests.e2e.people import complainant_withdraws, public_complaint

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")]


def test_the_complaints_team_downloads_a_closed_cases_evidence_pack_and_opens_the_printable_page(page, served):
    base = served["url"]
    reference, status_url = public_complaint(page, base, "IA", "My probation appointments were moved without notice.")
    complainant_withdraws(page, status_url)

    # staff of another division cannot see the case or its pack
    sign_in(page, base, "euk.team")
    for path in (f"/cases/{reference}", f"/cases/{reference}/evidence-pack", f"/cases/{reference}/evidence-pack.pdf"):
        assert page.goto(f"{base}{path}").status in (403, 404)

    sign_in(page, base, "ia.team")
    page.goto(f"{base}/cases/{reference}")
    with page.expect_download() as download_info:
        page.click("#evidence-pack-zip")
    download = download_info.value
    assert download.suggested_filename.startswith(f"evidence-{reference}-")
    archive = zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read()))
    facts = json.loads(archive.read("pack.json"))
    assert facts["reference"] == reference and facts["case"]["outcome"] == "withdrawn"
    assert [x["template"] for x in facts["letters"] if x["to_complainant"]] == ["withdrawal_confirmation"]

    with page.expect_download() as pdf_info:
        page.click("#evidence-pack-pdf")
    assert pdf_info.value.suggested_filename == download.suggested_filename.removesuffix(".zip") + ".pdf"
    assert open(pdf_info.value.path(), "rb").read(5) == b"%PDF-" and "evidence.pdf" in archive.namelist()

    page.click("#evidence-pack-page")
    page.wait_for_selector("#pack-letters")
    assert f"Evidence pack: Complaint {reference}" in page.inner_text("h1")
    assert "group policy 3.1.2" in page.inner_text("#pack-rules + p + table")
    assert "met" in page.inner_text("#pack-deadline-table")
    shot(page, "evidence-pack")
