"""The evidence pack of a closed case matches its case page and the letters sent; other divisions are refused."""
import io
import json
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from processes.access import SYSTEM
from processes.case_view import case_view
from processes.lifecycle import deliver_message, start_case
from processes.policy_rules import RULES_DIR, load_rule_set
from storage import models as m
from tests.governance_support import PASSWORD, add_user
from web import create_app
from web.extensions import limiter

COMPLAINANT = {"name": "Pat Jones", "email": "pat@example.org"}


@pytest.fixture
def pack_client(container):
    add_user(container, "ia.staff", "complaints_team", division="IA")
    add_user(container, "st.staff", "complaints_team", division="ST")
    add_user(container, "euk.staff", "complaints_team", division="EUK")
    add_user(container, "pl.staff", "complaints_team", division="PL")
    app = create_app(container, TESTING=True, WTF_CSRF_ENABLED=False)
    limiter.reset()
    return app.test_client()


def sign_in(client, username):
    client.get("/logout")
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


def withdrawn_case(container, division):
    reference = start_case(container.uow(), container.runtime, division=division, kind="complaint",
                           complainant=COMPLAINANT, summary="My assessor missed three reviews.")
    deliver_message(container.uow(), container.runtime, reference, "withdrawn",
                    {"reason": "The assessor has now been in touch"})
    return reference


def outbox(container, reference):
    with container.session_factory() as session:
        case = session.scalars(select(m.Case).where(m.Case.reference == reference)).one()
        return [(r.template, r.recipient, r.subject, r.body_text)
                for r in session.scalars(select(m.Outbox).where(m.Outbox.case_id == case.id).order_by(m.Outbox.id))]


def event_count(container):
    with container.session_factory() as session:
        return session.scalar(select(func.count(m.Event.id)))


@pytest.mark.parametrize("division, username, policy, process", [
    ("IA", "ia.staff", "group", "ia_complaint"), ("EUK", "euk.staff", "group", "euk_complaint"),
    ("ST", "st.staff", "training", "training_complaint"), ("PL", "pl.staff", "group", "pl_complaint")])
def test_the_evidence_pack_of_a_closed_case_matches_its_case_page_and_the_letters_sent(
        container, pack_client, division, username, policy, process):
    reference = withdrawn_case(container, division)
    view = case_view(container.uow(), container.runtime, reference, SYSTEM)
    assert view.case.status == "closed" and view.case.outcome == "withdrawn"
    sign_in(pack_client, username)
    page = pack_client.get(f"/cases/{reference}").get_data(as_text=True)
    assert f"/cases/{reference}/evidence-pack.zip" in page

    response = pack_client.get(f"/cases/{reference}/evidence-pack.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert f"evidence-{reference}-" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    facts = json.loads(archive.read("pack.json"))

    # the case and the version it ran under, as the case page shows them
    assert facts["case"]["outcome"] == "withdrawn" and facts["case"]["closed_at"] == view.case.closed_at.isoformat()
    assert facts["case"]["retention_until"] == view.case.retention_until.isoformat()
    [version] = facts["versions"]
    assert (version["number"], version["sha256"]) == (view.version.number, view.version.sha256)
    assert version["process_key"] == view.version.process_key == process  # the division's own process, not the base
    assert version["sha256"] in page
    assert [(s["step"], s["by"]) for s in version["steps"]] == [("Published", "system")]  # the shipped version
    bundle_zip = f"process/{view.version.process_key}-v{view.version.number}-{view.version.sha256[:12]}.zip"
    assert view.version.sha256 in zipfile.ZipFile(io.BytesIO(archive.read(bundle_zip))).read("bundle.sha256").decode()

    # the timeline, line for line as on the case page
    assert [(t["label"], t["detail"]) for t in facts["timeline"]] == [(t["label"], t["detail"]) for t in view.timeline]
    assert all(t["label"] in page for t in facts["timeline"])

    # every letter exactly as queued and sent; the withdrawal confirmation to the complainant among them
    sent = outbox(container, reference)
    assert [(x["template"], x["to"], x["subject"], x["body_text"]) for x in facts["letters"]] == sent
    confirmation = next(x for x in facts["letters"] if x["template"] == "withdrawal_confirmation")
    assert confirmation["to"] == "pat@example.org" and confirmation["to_complainant"]
    assert confirmation["subject"] in page
    letter_files = sorted(n for n in archive.namelist() if n.startswith("letters/") and n.endswith(".txt"))
    assert len(letter_files) == len(sent)
    bodies = [body for _, _, _, body in sent]
    assert all(archive.read(name).decode().endswith(body) for name, body in zip(letter_files, bodies, strict=True))

    # every deadline with its reason and whether it was met, as on the case page
    assert [(d["name"], d["due_at"], d["status"], d["why"]) for d in facts["deadlines"]] == [
        (d.name, d.due_at.isoformat(), d.status, d.why) for d in view.deadlines]
    acknowledgement = next(d for d in facts["deadlines"] if d["kind"] == "acknowledgement")
    assert acknowledgement["result"] == "met" and acknowledgement["met"] is True

    # the policy rules in force, with the hash recorded when the version was checked
    rules = load_rule_set(policy)
    assert facts["policy_rules"]["sha256"] == rules.sha256 == facts["policy_rules"]["recorded_sha256"]
    assert [r["id"] for r in facts["policy_rules"]["rules"]] == [r.id for r in rules.rules]
    assert archive.read(f"policy/{policy}.yaml") == (RULES_DIR / f"{policy}.yaml").read_bytes()
    assert facts["independence_checks"] == []  # withdrawn before anyone was allocated

    printable = pack_client.get(f"/cases/{reference}/evidence-pack").get_data(as_text=True)
    for shown in (printable, archive.read("index.html").decode()):
        assert f"Evidence pack: Complaint {reference}" in shown and view.version.sha256 in shown
        assert confirmation["subject"] in shown and rules.rules[0].text in shown and rules.sha256 in shown
        assert f'<span class="mono">{process}</span>' in shown

    # the same page as a PDF, in the zip and on its own
    assert f"/cases/{reference}/evidence-pack.pdf" in page
    response = pack_client.get(f"/cases/{reference}/evidence-pack.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f'filename="evidence-{reference}-' in response.headers["Content-Disposition"]
    for pdf in (response.data, archive.read("evidence.pdf")):
        text = " ".join(" ".join(pdf_page.extract_text().split()) for pdf_page in PdfReader(io.BytesIO(pdf)).pages)
        assert f"Evidence pack: Complaint {reference}" in text and view.version.sha256[:12] in text
        assert " ".join(confirmation["subject"].split()) in text and all(t["label"] in text for t in facts["timeline"])


def test_staff_of_another_division_are_refused_the_pack_and_nothing_is_recorded(container, pack_client):
    reference = withdrawn_case(container, "IA")
    sign_in(pack_client, "euk.staff")
    before = event_count(container)
    assert pack_client.get(f"/cases/{reference}/evidence-pack.zip").status_code == 403
    assert pack_client.get(f"/cases/{reference}/evidence-pack").status_code == 403
    assert pack_client.get(f"/cases/{reference}/evidence-pack.pdf").status_code == 403
    assert pack_client.get("/cases/IA-2026-999999/evidence-pack.zip").status_code == 403  # existence not revealed
    assert event_count(container) == before


def test_an_open_case_has_no_pack_yet(container, pack_client):
    reference = start_case(container.uow(), container.runtime, division="IA", kind="complaint",
                           complainant=COMPLAINANT, summary="Still open")
    sign_in(pack_client, "ia.staff")
    response = pack_client.get(f"/cases/{reference}/evidence-pack.zip")
    assert response.status_code == 409 and "still open" in response.get_data(as_text=True)
    assert "evidence-pack.zip" not in pack_client.get(f"/cases/{reference}").get_data(as_text=True)


def test_making_a_pack_is_recorded_on_the_case(container, pack_client):
    reference = withdrawn_case(container, "IA")
    sign_in(pack_client, "ia.staff")
    pack_client.get(f"/cases/{reference}/evidence-pack.zip")
    with container.session_factory() as session:
        case = session.scalars(select(m.Case).where(m.Case.reference == reference)).one()
        made = session.scalars(select(m.Event).where(m.Event.case_id == case.id,
                                                     m.Event.kind == "evidence_pack_made")).all()
    assert [e.actor for e in made] == ["ia.staff"]


def test_the_pdf_never_reads_a_file_the_page_names(tmp_path, monkeypatch):
    """Whatever reaches the page (a letter's HTML, say), laying it out reads nothing from disk: not even from the
    working directory, which the PDF library would otherwise allow."""
    from PIL import Image

    from web.cases.pdf import page_pdf
    monkeypatch.chdir(tmp_path)
    Image.new("RGB", (20, 20), (255, 0, 0)).save(tmp_path / "probe.png")
    pdf = page_pdf(f'<html><body><p>Pack</p><img src="probe.png"><img src="file://{tmp_path}/probe.png">'
                   f'<img src="{tmp_path}/probe.png"></body></html>')
    assert "Pack" in " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert b"/Subtype /Image" not in pdf
