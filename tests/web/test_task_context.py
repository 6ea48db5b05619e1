"""Task pages show what they ask a person to judge, and fill in what the complainant or colleagues already said."""
from __future__ import annotations

import re

import pytest

from processes import lifecycle
from processes.access import SYSTEM
from processes.accounts import hash_password
from tests.bpmn.test_group_support import findings, triage_answers
from tests.conftest import add_categories
from tests.web.conftest import PASSWORD, login, open_case

ST_STAFF = {"st.team": "complaints_team", "st.director": "psrd_director", "st.officer": "investigating_officer"}


@pytest.fixture
def training(app, webtest):
    """Seetec Training runs its own shipped procedure, with a team member, a Director and an officer."""
    with webtest.uow() as uow:
        st = uow.divisions.by_code("ST")
        st.config = {**st.config, "processes": {**st.config["processes"], "complaint": "training_complaint"}}
        for username, role in ST_STAFF.items():
            user = uow.users.add(username=username, display_name=username.replace(".", " ").title(),
                                 email=f"{username}@example.org", password_hash=hash_password(PASSWORD))
            uow.users.add_membership(user.id, st.id, role)
        uow.commit()
    add_categories(webtest)
    return webtest


def _task(container, reference, spec_name):
    with container.uow() as uow:
        case = uow.cases.by_reference(reference)
        return next(t.id for t in uow.tasks.open_for_case(case.id) if t.spec_name == spec_name)


def _complete(container, reference, spec_name, **answers):
    lifecycle.complete_task(container.uow(), container.runtime, _task(container, reference, spec_name), answers, SYSTEM)


def _to_director_review(c) -> str:
    reference = open_case(c, division="ST", needs_support=True, language="Welsh")
    _complete(c, reference, "triage", route="informal", triage_notes="Late marking", colleague_name="Sam Tutor")
    _complete(c, reference, "resolve_informally", findings="Late", colleague_informed=True,
              mediation_appropriate=False, informal_decision="respond", misconduct_suspected=False)
    _complete(c, reference, "write_informal_response", outcome="partly_upheld", response_text="Marked late",
              learning_considered=True, themes=["communication"])
    lifecycle.deliver_message(c.uow(), c.runtime, reference, "escalation_requested",
                              {"reasons": "Nobody explained why marking took six weeks"})
    return reference


def test_the_escalation_acknowledgement_shows_the_complainants_reasons_and_support(client, training):
    reference = _to_director_review(training)
    login(client, "st.team")
    html = client.get(f"/tasks/{_task(training, reference, 'acknowledge_formal')}").get_data(as_text=True)
    assert "Nobody explained why marking took six weeks" in html
    assert 'id="f-support_needs-language" name="support_needs.language" value="Welsh"' in html


def test_the_director_sees_the_draft_response_and_findings_and_the_revise_task_shows_the_comments(client, training):
    c = training
    reference = _to_director_review(c)
    _complete(c, reference, "acknowledge_formal", support_needs_checked=True)
    _complete(c, reference, "review_formal_complaint", complaint_review_notes="Investigate",
              investigating_officer="st.officer")
    _complete(c, reference, "investigate_formal", findings="Backlog of 40 scripts", colleague_informed=True,
              colleague_interviewed=True, confidentiality_maintained=True, formal_decision="respond",
              misconduct_suspected=False, outcome="upheld", response_text="We are sorry; marking was late.",
              learning_considered=True, themes=["communication"])
    login(client, "st.director")
    review = client.get(f"/tasks/{_task(c, reference, 'review_formal_response')}").get_data(as_text=True)
    judged = review.split('id="judged"', 1)[1].split("</section>", 1)[0]
    assert "We are sorry; marking was late." in judged and "Backlog of 40 scripts" in judged
    assert "Upheld" in judged and "Informal stage: Partly upheld" in judged
    _complete(c, reference, "review_formal_response", response_approved=False,
              director_comments="Say what will change for other learners.")
    login(client, "st.officer")
    revise = client.get(f"/tasks/{_task(c, reference, 'revise_formal_response')}").get_data(as_text=True)
    assert "Say what will change for other learners." in revise.split('id="judged"', 1)[1]
    assert re.search(r'<textarea[^>]*id="f-response_text"[^>]*>\s*We are sorry; marking was late.</textarea>', revise)


def test_triage_prefills_the_event_date_and_support_from_the_public_form(client, webtest):
    with webtest.uow() as uow:
        ia = uow.divisions.by_code("IA")
        ia.config = {**ia.config, "processes": {**ia.config["processes"], "complaint": "group_complaint"}}
        uow.commit()
    from datetime import date
    reference = open_case(webtest, happened_on=date(2026, 12, 1), needs_support=True, language="Polish")
    login(client, "ia.team")
    html = client.get(f"/tasks/{_task(webtest, reference, 'triage')}").get_data(as_text=True)
    assert 'id="f-event_date" name="event_date" value="2026-12-01"' in html
    assert "Language: Polish" in html.split('id="f-support_agreed"', 1)[1].split("</textarea>", 1)[0]


def test_a_completed_task_shows_its_answers_read_only(client, webtest):
    with webtest.uow() as uow:
        ia = uow.divisions.by_code("IA")
        ia.config = {**ia.config, "processes": {**ia.config["processes"], "complaint": "group_complaint"}}
        uow.commit()
    add_categories(webtest)
    reference = open_case(webtest)
    triage = _task(webtest, reference, "triage")
    lifecycle.complete_task(webtest.uow(), webtest.runtime, triage, triage_answers(), SYSTEM)
    login(client, "ia.team")
    html = client.get(f"/tasks/{triage}").get_data(as_text=True)
    assert 'id="answers"' in html and "2026-12-01" in html and 'value="complete"' not in html
    assert findings  # the shared answers stay importable for the journeys
