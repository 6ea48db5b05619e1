"""The governance pages: review, four eyes, publishing, migration, audit, roles and CSRF on every form."""
import pytest

from processes.governance import save_version_draft, submit_version
from processes.lifecycle import start_case
from tests.governance_support import (
    PROCESS,
    add_user,
    csrf_token,
    published_id,
    sign_in,
    use_demo_process,
    version_rows,
    web_client,
    with_ack_deadline,
)

CHANGE_LINE = ("Timer &#39;Triage deadline&#39; changed from working_days_after(received_at, 5) "
               "to working_days_after(received_at, 3)")


@pytest.fixture
def proposal(container):
    """An older case on v1, and v2 (acknowledge within 3 days) submitted by an analyst who is also in governance."""
    use_demo_process(container)
    author = add_user(container, "bo", "process_analyst", "governance")
    add_user(container, "gill", "governance")
    add_user(container, "ana", "process_analyst")
    add_user(container, "sam", "complaints_team")
    reference = start_case(container.uow(), container.runtime, division="IA", kind="complaint")
    saved = save_version_draft(container.uow(), container.runtime, PROCESS,
                       with_ack_deadline("working_days_after(received_at, 3)"), author)
    submit_version(container.uow(), container.runtime, saved.version_id, author, "Acknowledge within 3 days")
    return {"version_id": saved.version_id, "reference": reference, "container": container}


def decide(client, version_id, action, note="Matches the new policy"):
    return client.post(f"/governance/versions/{version_id}/{action}", data={"review_note": note})


def test_anonymous_visitors_are_sent_to_sign_in(proposal):
    client = web_client(proposal["container"])
    for url in ("/governance/", f"/governance/versions/{proposal['version_id']}", "/governance/audit"):
        assert "/login" in client.get(url).headers["Location"]
    assert decide(client, proposal["version_id"], "approve").status_code == 302


def test_staff_without_a_governance_or_analyst_role_are_refused(proposal):
    client = sign_in(web_client(proposal["container"]), "sam")
    assert client.get("/governance/").status_code == 403
    assert client.get(f"/governance/versions/{proposal['version_id']}").status_code == 403


def test_an_analyst_may_read_the_review_but_not_decide(proposal):
    client = sign_in(web_client(proposal["container"]), "ana")
    page = client.get(f"/governance/versions/{proposal['version_id']}").get_data(as_text=True)
    assert CHANGE_LINE in page and 'id="approve-button"' not in page
    for action in ("approve", "reject", "publish"):
        assert decide(client, proposal["version_id"], action).status_code == 403
    assert client.get(f"/governance/versions/{proposal['version_id']}/migration").status_code == 403


def test_the_review_shows_the_change_list_validation_case_counts_and_both_diagrams(proposal):
    client = sign_in(web_client(proposal["container"]), "gill")
    page = client.get(f"/governance/versions/{proposal['version_id']}").get_data(as_text=True)
    assert CHANGE_LINE in page and 'data-element="triage_deadline"' in page
    assert "Validation found no problems" in page
    assert '<table id="running-cases">' in page and "<td>v1</td><td>Published (in force)</td><td>1</td>" in page
    assert 'id="diff-left"' in page and 'id="diff-right"' in page and 'id="review-data"' in page


def test_the_author_sees_why_they_cannot_approve_and_a_direct_post_is_refused(proposal):
    client = sign_in(web_client(proposal["container"]), "bo")
    page = client.get(f"/governance/versions/{proposal['version_id']}").get_data(as_text=True)
    assert 'id="four-eyes-notice"' in page and 'id="approve-button"' not in page
    before = version_rows(proposal["container"])
    refused = decide(client, proposal["version_id"], "approve")
    assert refused.status_code == 403 and "four eyes" in refused.get_data(as_text=True)
    assert version_rows(proposal["container"]) == before


def test_a_decision_needs_a_note(proposal):
    client = sign_in(web_client(proposal["container"]), "gill")
    response = decide(client, proposal["version_id"], "reject", note=" ")
    assert response.status_code == 400 and "Enter a note saying why" in response.get_data(as_text=True)


def test_approving_then_publishing_then_migrating_the_older_case(proposal):
    container, version_id = proposal["container"], proposal["version_id"]
    client = sign_in(web_client(container), "gill")
    assert decide(client, version_id, "approve").status_code == 302
    assert "Approved by Gill" in client.get(f"/governance/versions/{version_id}").get_data(as_text=True)
    publish(client, version_id)
    assert published_id(container) == version_id
    preview = client.get(f"/governance/versions/{version_id}/migration").get_data(as_text=True)
    assert f'data-reference="{proposal["reference"]}"' in preview and "Mon 04 Jan 2027, 23:59" in preview
    assert "Wed 30 Dec 2026, 23:59" in preview
    migrate(client, version_id, [proposal["reference"]])
    with container.uow() as uow:
        assert uow.cases.by_reference(proposal["reference"]).version_id == version_id
    audit = client.get("/governance/audit").get_data(as_text=True)
    for label in ("Running cases migrated", "Published", "Approved", "Submitted for review", "Retired"):
        assert label in audit
    assert f'<li data-reference="{proposal["reference"]}" data-outcome="moved">' in audit


def publish(client, version_id):
    """Publish through the confirmation step, as the buttons do."""
    confirmation = client.get(f"/governance/versions/{version_id}/publish")
    assert confirmation.status_code == 200 and 'id="confirm-publish-button"' in confirmation.get_data(as_text=True)
    assert client.post(f"/governance/versions/{version_id}/publish", data={"confirm": "publish"}).status_code == 302


def migrate(client, version_id, references):
    """Tick cases, confirm the count on the confirmation page, move them."""
    confirmation = client.post(f"/governance/versions/{version_id}/migration", data={"reference": references})
    page = confirmation.get_data(as_text=True)
    assert confirmation.status_code == 200 and 'id="confirm-migrate-button"' in page
    count = len(references)
    assert f"Move {count} case{'' if count == 1 else 's'} to v" in page
    done = client.post(f"/governance/versions/{version_id}/migration",
                       data={"reference": references, "confirmed": str(count)})
    assert done.status_code == 302
    return done


def test_the_governance_index_lists_what_waits_for_a_decision(proposal):
    page = sign_in(web_client(proposal["container"]), "gill").get("/governance/").get_data(as_text=True)
    assert f"/governance/versions/{proposal['version_id']}" in page and "Review v2" in page


@pytest.mark.parametrize("path, data", [
    ("/governance/versions/{v}/approve", {"review_note": "ok"}),
    ("/governance/versions/{v}/reject", {"review_note": "no"}),
    ("/governance/versions/{v}/publish", {}),
    ("/governance/versions/{v}/migration", {"reference": "IA-2026-000001"}),
    ("/modeler/versions/{v}/save", {"file": "demo.bpmn", "content": "<x/>"}),
    ("/modeler/versions/{v}/submit", {"change_note": "x"}),
    ("/modeler/import", {}),
    ("/modeler/form-preview", {"schema": "{}"}),
])
def test_every_form_is_refused_without_its_csrf_token(proposal, path, data):
    container = proposal["container"]
    client = web_client(container, csrf=True)
    sign_in(client, "gill")
    before = version_rows(container)
    response = client.post(path.format(v=proposal["version_id"]), data=data)
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    assert version_rows(container) == before


def test_a_form_with_its_csrf_token_goes_through(proposal):
    client = web_client(proposal["container"], csrf=True)
    sign_in(client, "gill")
    url = f"/governance/versions/{proposal['version_id']}"
    token = csrf_token(client, url)
    response = client.post(url + "/approve", data={"review_note": "ok", "csrf_token": token})
    assert response.status_code == 302
