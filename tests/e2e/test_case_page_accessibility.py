"""axe-core finds no serious or critical violations on the case page, the inbox, a task page and the governance
review page; and the case page of a closed case stays short enough to read."""
from __future__ import annotations

import pytest

from processes.accounts import hash_password, load_actor
from processes.governance import save_version_draft, submit_version
from tests.e2e.conftest import PASSWORD, serious_violations, shot, sign_in
from tests.e2e.test_case_page_journeys import _complete, _open_from_inbox, _public_complaint, _triage

pytestmark = pytest.mark.e2e


def add_user(container, username: str, role: str):
    """A user holding one role in Interventions Alliance, signed in with the browser tests' password."""
    with container.uow() as uow:
        user = uow.users.add(username=username, display_name=username.replace(".", " ").title(),
                             email=f"{username}@example.org", password_hash=hash_password(PASSWORD))
        uow.users.add_membership(user.id, uow.divisions.by_code("IA").id, role)
        uow.commit()
        user_id = user.id
    return load_actor(container.uow(), user_id)


def test_the_inbox_a_task_page_and_the_case_page_have_no_serious_accessibility_violations(served, page):
    base = served["url"]
    reference, _status = _public_complaint(page, base, "IA", "The office lost my travel receipts twice.",
                                           name="Kim Webb")
    sign_in(page, base, "ia.team")
    page.goto(f"{base}/inbox?sort=received")
    assert serious_violations(page) == [], "inbox"
    page.goto(f"{base}/inbox?q=Kim")
    assert "Kim Webb" in page.inner_text("table.inbox")
    assert serious_violations(page) == [], "inbox search"
    shot(page, "inbox-search")
    _open_from_inbox(page, base, reference, "Assess and acknowledge")
    assert serious_violations(page) == [], "task page"
    _triage(page)
    _complete(page)
    page.goto(f"{base}/cases/{reference}")
    page.wait_for_selector("#case-diagram[data-ready=true]")
    assert serious_violations(page) == [], "case page"
    page.fill("#f-note", "x" * 4001)
    with page.expect_navigation():
        page.click("button:has-text('Add the note')")
    page.wait_for_selector("#case-diagram[data-ready=true]")
    assert "4,000 characters or fewer" in page.inner_text("section[aria-labelledby=notes-title]")
    assert serious_violations(page) == [], "case page with an error"
    page.fill("#f-note", "Kim phoned: the receipts were posted on 1 December.")
    with page.expect_navigation():
        page.click("button:has-text('Add the note')")
    page.wait_for_selector("#case-diagram[data-ready=true]")
    page.click("section[aria-labelledby=diagram-title] nav button:has-text('Whole process')")
    page.wait_for_selector("#case-diagram[data-ready=true][data-process=group_complaint]")
    assert serious_violations(page) == [], "case page, top-level diagram"
    shot(page, "case-page")


def test_the_governance_review_page_has_no_serious_accessibility_violations(served, page):
    container = served["container"]
    from processes.accounts import load_actor
    analyst = add_user(container, "axe.analyst", "process_analyst")
    reviewer = add_user(container, "axe.reviewer", "governance")
    with container.uow() as uow:  # every division runs the compliment process: changing it is a group-wide role
        for user_id in (analyst.user_id, reviewer.user_id):
            uow.users.get(user_id).is_group_wide = True
        uow.commit()
    analyst = load_actor(container.uow(), analyst.user_id)
    with container.uow() as uow:
        version = uow.versions.published("compliment")
        files = {name: text for name, text in version.files.items() if name.endswith(".bpmn")}
    name, text = next(iter(files.items()))
    changed = text.replace('name="Record who the compliment is about"', 'name="Record who the compliment praises"')
    draft = save_version_draft(container.uow(), container.runtime, "compliment", {name: changed}, analyst,
                       change_note="Clearer task name")
    submit_version(container.uow(), container.runtime, draft.version_id, analyst, "Clearer task name")
    sign_in(page, served["url"], "axe.reviewer")
    page.goto(f"{served['url']}/governance/versions/{draft.version_id}")
    page.wait_for_selector("#diff-right[data-ready=true]", timeout=30_000)
    assert page.get_attribute("#diff-left", "role") == "region"
    assert serious_violations(page) == [], "governance review page"
