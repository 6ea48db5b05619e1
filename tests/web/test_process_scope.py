"""Each division owns its process: every modeler and governance route, and the process-version API, refuses
people of other divisions (403 for pages, 404 for the API) and changes nothing; lists show only their own.

The routes are read from the Flask url_map, so a new modeler or governance route is covered without editing this
test (a route with a parameter this test cannot fill fails it, on purpose).
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from processes.access import ROLES
from processes.accounts import new_api_token
from processes.errors import Forbidden
from processes.governance import (
    approve_version,
    export_bundle,
    publish_version,
    save_version_draft,
    submit_version,
)
from processes.governance_reads import governance_log, processes_overview, review
from processes.lifecycle import start_case
from processes.migration import migrate_cases, preview_migration
from storage import models as m
from tests.governance_support import add_user, published_id, sign_in, version_rows, web_client

PROCESS = "euk_complaint"
MARK = "EUK-only acknowledgement change"
SCOPED_BLUEPRINTS = ("modeler", "governance")
OTHER_DIVISIONS = ("IA", "ST", "PL")
TIMER = "working_days_after(complaint_received_at, 3)"
WHY = {"group-acknowledge-within-3@triage_acknowledgement_due": "EUK pilot of five working days"}  # breaches 3.1.2


def _intake(container, version_id: int) -> str:
    with container.uow() as uow:
        return uow.versions.get(version_id).files["shared/intake.bpmn"]


@pytest.fixture
def euk(container):
    """EUK's analyst and two governance users, EUK versions in every state, and a running EUK case."""
    people = {"analyst": add_user(container, "euk_ana", "process_analyst", division="EUK"),
              "gov": add_user(container, "euk_gill", "governance", division="EUK"),
              "gov2": add_user(container, "euk_greg", "governance", division="EUK")}
    v1 = published_id(container, PROCESS)
    changed = {"shared/intake.bpmn": _intake(container, v1).replace(TIMER, TIMER.replace("3)", "5)"))}
    uow, runtime = container.uow, container.runtime
    ids = {"published": v1}
    in_review = save_version_draft(uow(), runtime, PROCESS, changed, people["analyst"], base_version_id=v1)
    submit_version(uow(), runtime, in_review.version_id, people["analyst"], MARK, justifications=WHY)
    ids["in_review"] = in_review.version_id
    approved = save_version_draft(uow(), runtime, PROCESS, changed, people["analyst"], base_version_id=v1)
    submit_version(uow(), runtime, approved.version_id, people["analyst"], MARK, justifications=WHY)
    approve_version(uow(), approved.version_id, people["gov"], "fine for EUK")
    ids["approved"] = approved.version_id
    ids["draft"] = save_version_draft(uow(), runtime, PROCESS, changed, people["analyst"], base_version_id=v1,
                                      change_note=MARK).version_id
    reference = start_case(uow(), runtime, division="EUK", kind="complaint", summary="Late acknowledgement")
    return {"people": people, "ids": ids, "reference": reference}


def outsiders(container) -> list[str]:
    """Someone holding each role in each other division, and one holding both governance roles in all three."""
    names = []
    for code in OTHER_DIVISIONS:
        for role in ROLES:
            names.append(add_user(container, f"{code.lower()}_{role}", role, division=code).username)
    both = add_user(container, "three_divisions", "process_analyst", "governance", division="IA")
    with container.uow() as uow:
        for code in ("ST", "PL"):
            for role in ("process_analyst", "governance"):
                uow.users.add_membership(both.user_id, uow.divisions.by_code(code).id, role)
        uow.commit()
    return [*names, both.username]


def snapshot(container) -> tuple:
    with container.session_factory() as session:
        events = session.scalar(select(func.count()).select_from(m.Event))
        cases = [(c.reference, c.version_id) for c in session.scalars(select(m.Case).order_by(m.Case.id))]
    return version_rows(container), events, cases


def _fill(rule: str, values: dict) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda found: str(values[found.group(1)]), rule)


def scoped_rules(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.split(".")[0] in SCOPED_BLUEPRINTS]
    assert {r.endpoint for r in rules} >= {"modeler.index", "modeler.edit", "modeler.save", "modeler.submit",
                                           "modeler.import_zip", "governance.index", "governance.version",
                                           "governance.approve", "governance.reject", "governance.publish",
                                           "governance.export", "governance.migration", "governance.audit"}
    return rules


def form_for(container, euk, version_id: int) -> dict:
    """What a person entitled to act would send, so that only the division check stands in the way."""
    intake = _intake(container, version_id).replace(TIMER, TIMER.replace("3)", "7)"))
    return {"file": "shared/intake.bpmn", "content": intake, "change_note": "outsider change",
            "review_note": "outsider decision", "reference": euk["reference"],
            "process": ["ia_complaint", "pl_complaint"],
            "confirm": "publish", "confirmed": "1"}  # past the publish and migration confirmation steps


def test_people_of_other_divisions_are_refused_on_every_modeler_and_governance_route(container, euk):
    app_client = web_client(container)
    names = outsiders(container)
    archive = export_bundle(container.uow(), euk["ids"]["draft"], euk["people"]["analyst"])[1]
    before = snapshot(container)
    rules = scoped_rules(app_client.application)
    checked = 0
    for username in names:
        client = sign_in(web_client(container), username)
        for rule in rules:
            methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
            version_ids = euk["ids"].values() if "version_id" in rule.arguments else [None]
            for version_id in version_ids:
                url = _fill(rule.rule, {"version_id": version_id, "index": 0})
                for method in methods:
                    if rule.endpoint == "modeler.import_zip":
                        from io import BytesIO
                        response = client.post(url, data={"bundle": (BytesIO(archive), "euk.zip")},
                                               content_type="multipart/form-data")
                    else:
                        data = form_for(container, euk, version_id or euk["ids"]["published"])
                        response = client.open(url, method=method, data=data if method == "POST" else None)
                    body = response.get_data(as_text=True)
                    where = (username, method, url)
                    if version_id is not None or rule.endpoint == "modeler.import_zip":
                        assert response.status_code == 403, where
                    else:  # a list or a tool: allowed or not by role, but never showing EUK's process
                        assert response.status_code in (200, 400, 403), where
                        assert PROCESS not in body, where
                    assert MARK not in body and "complaint_received_at, 5)" not in body, where
                    checked += 1
    assert snapshot(container) == before  # no version, event (not even an export) or case changed
    assert checked >= len(names) * 30


def test_the_owning_division_may_use_the_same_routes(container, euk):
    """The control for the test above: EUK's own people get through where outsiders were refused."""
    analyst = sign_in(web_client(container), "euk_ana")
    assert PROCESS in analyst.get("/modeler/").get_data(as_text=True)
    assert analyst.get(f"/modeler/versions/{euk['ids']['draft']}").status_code == 200
    governance = sign_in(web_client(container), "euk_greg")
    listed = governance.get("/governance/").get_data(as_text=True)
    assert PROCESS in listed and "Employability UK" in listed
    page = governance.get(f"/governance/versions/{euk['ids']['in_review']}").get_data(as_text=True)
    assert 'id="approve-button"' in page
    audit = governance.get("/governance/audit").get_data(as_text=True)
    assert "euk_complaint v" in audit and "<td>EUK</td>" in audit
    assert governance.post(f"/governance/versions/{euk['ids']['approved']}/publish",
                           data={"confirm": "publish"}).status_code == 302
    with container.uow() as uow:
        assert uow.versions.published(PROCESS).id == euk["ids"]["approved"]


def test_use_cases_refuse_other_divisions_whatever_page_calls_them(container, euk):
    """The rule lives in the use cases: called directly, they refuse too, and nothing changes."""
    ia_gov = add_user(container, "ia_gov", "governance", division="IA")
    ia_ana = add_user(container, "ia_ana", "process_analyst", division="IA")
    ids, uow, runtime = euk["ids"], container.uow, container.runtime
    before = snapshot(container)
    refused = [
        lambda: save_version_draft(uow(), runtime, PROCESS, {}, ia_ana, base_version_id=ids["draft"]),
        lambda: submit_version(uow(), runtime, ids["draft"], ia_ana, "x"),
        lambda: approve_version(uow(), ids["in_review"], ia_gov, "x"),
        lambda: publish_version(uow(), runtime, ids["approved"], ia_gov),
        lambda: export_bundle(uow(), ids["draft"], ia_gov),
        lambda: preview_migration(uow(), runtime, ids["published"], ia_gov),
        lambda: migrate_cases(uow(), runtime, ids["published"], [euk["reference"]], ia_gov),
        lambda: review(uow(), runtime, ids["in_review"], actor=ia_gov),
    ]
    for action in refused:
        with pytest.raises(Forbidden, match="Employability UK"):
            action()
    assert snapshot(container) == before
    assert PROCESS not in {p.process_key for p in processes_overview(uow(), actor=ia_gov)}
    assert all(e["process_key"] != PROCESS for e in governance_log(uow(), actor=ia_gov))
    assert {p.process_key for p in processes_overview(uow(), actor=ia_gov)} == {"ia_complaint"}


def test_four_eyes_still_holds_for_someone_who_governs_several_divisions(container, euk):
    """Holding governance in EUK too does not let the author of a version approve it."""
    with container.uow() as uow:
        user = uow.users.by_username("euk_ana")
        uow.users.add_membership(user.id, uow.divisions.by_code("EUK").id, "governance")
        uow.commit()
    author = sign_in(web_client(container), "euk_ana")
    before = snapshot(container)
    response = author.post(f"/governance/versions/{euk['ids']['in_review']}/approve", data={"review_note": "mine"})
    assert response.status_code == 403 and "four eyes" in response.get_data(as_text=True)
    assert snapshot(container) == before


def test_a_shared_process_and_the_shared_base_take_a_group_wide_role(container, euk):
    """Compliments run in all four divisions and the group base in none: a division's governance may not change
    either; a group-wide governance user may."""
    euk_gov = euk["people"]["gov"]
    for key in ("compliment", "group_complaint"):
        assert key not in {p.process_key for p in processes_overview(container.uow(), actor=euk_gov)}
        with pytest.raises(Forbidden):
            review(container.uow(), container.runtime, published_id(container, key), actor=euk_gov)
    group = add_user(container, "grace", "governance", division="IA")
    with container.uow() as uow:
        uow.users.get(group.user_id).is_group_wide = True
        uow.commit()
    from processes.accounts import load_actor
    group = load_actor(container.uow(), group.user_id)
    listed = {p.process_key for p in processes_overview(container.uow(), actor=group)}
    assert {"compliment", "group_complaint", "ia_complaint", "euk_complaint", "pl_complaint"} <= listed


def test_the_process_version_api_hides_other_divisions_drafts(container, euk):
    outsider = add_user(container, "ia_gov_api", "governance", "process_analyst", division="IA")
    token, digest = new_api_token()
    with container.uow() as uow:
        uow.users.get(outsider.user_id).api_token_hash = digest
        uow.commit()
    client = web_client(container)
    headers = {"Authorization": f"Bearer {token}"}
    app = client.application
    api_rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.") and "process-versions" in r.rule]
    assert len(api_rules) >= 2
    for rule in api_rules:
        for version_id in euk["ids"].values():
            response = client.get(_fill(rule.rule, {"version_id": version_id, "index": 0}), headers=headers)
            if "version_id" in rule.arguments:
                assert response.status_code == 404, rule.rule
            else:
                assert response.status_code == 200
                assert PROCESS not in response.get_data(as_text=True)
