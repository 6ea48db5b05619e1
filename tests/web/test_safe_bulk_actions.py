"""Publishing and migrating ask first: nothing ticked, a confirmation page with the count (it works without
JavaScript), no closed cases, an audit naming every case; publishing shows the weekly intake it will govern."""
import json
import re

import pytest
from sqlalchemy import select

from processes.governance import approve_version, save_version_draft, submit_version
from storage import models as m
from tests.governance_support import (
    add_user,
    case_version_id,
    migration_scenario,
    published_id,
    sign_in,
    version_rows,
    web_client,
)


@pytest.fixture
def scenario(container):
    found = migration_scenario(container, movable=3)
    return {**found, "container": container}


def publish_now(client, version_id):
    assert client.post(f"/governance/versions/{version_id}/publish", data={"confirm": "publish"}).status_code == 302


def ticked(page: str) -> list[str]:
    return re.findall(r'name="reference" value="([^"]+)" id="m-[^"]+" checked', page)


def migrated_events(container):
    with container.session_factory() as session:
        return [e.data for e in session.scalars(select(m.Event).where(m.Event.kind == "cases_migrated"))]


def test_publishing_shows_the_weekly_intake_first_and_an_unconfirmed_post_changes_nothing(scenario):
    container, version_id = scenario["container"], scenario["version_id"]
    client = sign_in(web_client(container), "gill")
    review = client.get(f"/governance/versions/{version_id}").get_data(as_text=True)
    assert f'href="/governance/versions/{version_id}/publish" class="button" id="publish-button"' in review
    page = client.get(f"/governance/versions/{version_id}/publish").get_data(as_text=True)
    forecast = re.sub(r"\s+", " ", re.search(r'id="publish-forecast">(.*?)</p>', page, re.S).group(1))
    # five cases in four weeks, all in IA, the one division whose complaints run on the demo process here
    assert "<strong>about 1 new case a week</strong>" in forecast
    assert "5 cases came in over the last 4 weeks from" in forecast and "Interventions Alliance (5)" in forecast
    assert "Employability UK" not in forecast and "v1 (in force now) will be retired" in page
    before = version_rows(container)
    again = client.post(f"/governance/versions/{version_id}/publish", data={})
    assert again.status_code == 200 and 'id="confirm-publish-button"' in again.get_data(as_text=True)
    assert version_rows(container) == before
    publish_now(client, version_id)
    assert published_id(container) == version_id


def test_only_an_approved_version_gets_a_publish_confirmation(container):
    from tests.governance_support import PROCESS, use_demo_process, with_ack_deadline
    use_demo_process(container)
    analyst = add_user(container, "ana", "process_analyst")
    add_user(container, "gill", "governance")
    saved = save_version_draft(container.uow(), container.runtime, PROCESS,
                               with_ack_deadline("working_days_after(received_at, 3)"), analyst)
    submit_version(container.uow(), container.runtime, saved.version_id, analyst, "shorter")
    client = sign_in(web_client(container), "gill")
    response = client.get(f"/governance/versions/{saved.version_id}/publish")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/versions/{saved.version_id}")
    before = version_rows(container)
    refused = client.post(f"/governance/versions/{saved.version_id}/publish", data={"confirm": "publish"})
    assert refused.status_code == 409 and "must be approved" in refused.get_data(as_text=True)
    assert version_rows(container) == before


def test_the_preview_ticks_nothing_offers_select_all_and_never_lists_a_closed_case(scenario):
    container, version_id = scenario["container"], scenario["version_id"]
    client = sign_in(web_client(container), "gill")
    publish_now(client, version_id)
    page = client.get(f"/governance/versions/{version_id}/migration").get_data(as_text=True)
    assert ticked(page) == [] and 'id="select-movable"' in page and "Select all that can move (3)" in page
    assert f'data-reference="{scenario["closed"]}"' not in page
    assert f'data-reference="{scenario["reminded"]}"' in page
    assert "&#39;Remind the complaints team&#39; has already run and was changed in the new version" in page
    assert 'value="' + scenario["reminded"] + '"' not in page  # no box to tick for a case that cannot move
    selected = client.get(f"/governance/versions/{version_id}/migration?select=movable").get_data(as_text=True)
    assert sorted(ticked(selected)) == sorted(scenario["waiting"])


def test_moving_asks_to_confirm_the_count_and_nothing_moves_until_then(scenario):
    container, version_id = scenario["container"], scenario["version_id"]
    client = sign_in(web_client(container), "gill")
    publish_now(client, version_id)
    chosen = scenario["waiting"][:2]
    before = [case_version_id(container, r) for r in chosen]
    page = client.post(f"/governance/versions/{version_id}/migration", data={"reference": chosen})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Move 2 cases to v2?" in text and 'id="confirm-count">2<' in text
    assert 'name="confirmed" value="2"' in text and all(f'data-reference="{r}"' in text for r in chosen)
    # a count that does not match what is sent (a stale or hand-made form) only shows the confirmation again
    wrong = client.post(f"/governance/versions/{version_id}/migration", data={"reference": chosen, "confirmed": "1"})
    assert wrong.status_code == 200 and "Move 2 cases to v2?" in wrong.get_data(as_text=True)
    assert [case_version_id(container, r) for r in chosen] == before and migrated_events(container) == []
    done = client.post(f"/governance/versions/{version_id}/migration", data={"reference": chosen, "confirmed": "2"})
    assert done.status_code == 302
    assert [case_version_id(container, r) for r in chosen] == [version_id, version_id]
    assert case_version_id(container, scenario["waiting"][2]) != version_id


def test_a_closed_case_sent_by_hand_is_refused_and_the_audit_names_every_case_and_reason(scenario):
    container, version_id = scenario["container"], scenario["version_id"]
    client = sign_in(web_client(container), "gill")
    publish_now(client, version_id)
    closed, reminded, moving = scenario["closed"], scenario["reminded"], scenario["waiting"][0]
    sent = [moving, closed, reminded]
    old = case_version_id(container, closed)
    done = client.post(f"/governance/versions/{version_id}/migration", data={"reference": sent, "confirmed": "3"})
    assert done.status_code == 302
    assert case_version_id(container, closed) == old and case_version_id(container, reminded) == old
    [event] = migrated_events(container)
    assert event["migrated"] == [moving] and event["requested"] == 3
    assert event["refused"] == {closed: ["the case is closed"], reminded: [
        "'Remind the complaints team' has already run and was changed in the new version"]}
    flash = client.get(f"/governance/versions/{version_id}/migration").get_data(as_text=True)
    assert f"Moved 1 case: {moving}." in flash and f"{closed} (the case is closed)" in flash
    audit = client.get("/governance/audit").get_data(as_text=True)
    assert f'<li data-reference="{moving}" data-outcome="moved">{moving}: moved</li>' in audit
    assert (f'<li data-reference="{closed}" data-outcome="refused">{closed}: not moved (the case is closed)</li>'
            in audit)
    assert f'data-reference="{reminded}" data-outcome="refused">{reminded}: not moved (&#39;Remind the' in audit


def test_the_confirmation_leaves_out_cases_that_cannot_move_and_says_why(scenario):
    container, version_id = scenario["container"], scenario["version_id"]
    client = sign_in(web_client(container), "gill")
    publish_now(client, version_id)
    sent = [scenario["waiting"][0], scenario["reminded"], scenario["closed"]]
    text = client.post(f"/governance/versions/{version_id}/migration", data={"reference": sent}).get_data(as_text=True)
    assert "Move 1 case to v2?" in text and 'name="confirmed" value="1"' in text
    assert f'<input type="hidden" name="reference" value="{scenario["reminded"]}">' not in text
    assert "2 of the cases you ticked cannot move now and are left out" in text
    assert f"{scenario['closed']}: not an open case on an older version of this process" in text


def test_the_review_loads_each_diagram_on_request_and_opens_on_the_first_changed_file(container):
    from pathlib import Path

    from processes.bundle import bundle_from_directory
    analyst = add_user(container, "ana", "process_analyst")
    add_user(container, "gill", "governance")
    shipped = bundle_from_directory(Path(__file__).resolve().parents[2] / "bpmn" / "ia_complaint")
    name = "shared/investigation.bpmn"
    changed = shipped.files[name].decode().replace('name="', 'name="Checked: ', 1)
    saved = save_version_draft(container.uow(), container.runtime, "ia_complaint", {name: changed}, analyst)
    submit_version(container.uow(), container.runtime, saved.version_id, analyst, "rename")
    approve_version(container.uow(), saved.version_id, add_user(container, "rita", "governance"), "ok")
    client = sign_in(web_client(container), "gill")
    page = client.get(f"/governance/versions/{saved.version_id}").get_data(as_text=True)
    data = json.loads(re.search(r'<script type="application/json" id="review-data">(.*?)</script>', page).group(1))
    assert data["files"][data["first"]] == {"file": name, "changed": True}
    assert [f["file"] for f in data["files"] if f["changed"]] == [name]
    assert "<bpmn:definitions" not in page and len(page) < 40_000  # the XML is no longer inlined
    assert f'id="diff-tab-{data["first"]}"' in page and 'aria-selected="true"' in page
    pair = client.get(data["pairUrl"] + str(data["first"])).get_json()
    assert pair["file"] == name and pair["new"] == changed and pair["old"] == shipped.files[name].decode()
    assert client.get(data["pairUrl"] + "999").status_code == 404
    assert web_client(container).get(data["pairUrl"] + "0").status_code == 302  # anonymous: sent to sign in
    add_user(container, "sam", "complaints_team")
    assert sign_in(web_client(container), "sam").get(data["pairUrl"] + "0").status_code == 403
