"""Policy breaches in governance on a real database: justified to be submitted, kept with the version, re-checked
at publication."""
import pytest
from sqlalchemy import select

from processes.errors import BundleInvalid, InvalidInput
from processes.governance import approve_version, publish_version, save_version_draft, submit_version
from processes.governance_reads import review
from processes.policy_rules import load_rule_set
from storage import models as m
from tests.governance_support import add_user, version_rows

PROCESS, INTAKE = "group_complaint", "shared/intake.bpmn"
ACK = "working_days_after(complaint_received_at, 3)"
KEY = "group-acknowledge-within-3@triage_acknowledgement_due"


@pytest.fixture
def people(container):
    return {"analyst": add_user(container, "ana", "process_analyst"), "gov": add_user(container, "gill", "governance")}


def four_day_draft(container, actor):
    with container.uow() as uow:
        text = uow.versions.published(PROCESS).files[INTAKE]
    return save_version_draft(container.uow(), container.runtime, PROCESS,
                              {INTAKE: text.replace(ACK, "working_days_after(complaint_received_at, 4)")}, actor)


def stored(container, version_id):
    with container.session_factory() as session:
        row = session.get(m.ProcessVersion, version_id)
        return row.state, row.policy_check, row.validation


def test_a_draft_breaching_the_policy_is_saved_with_the_breach_and_the_rules_hash(container, people):
    saved = four_day_draft(container, people["analyst"])
    [breach] = [p for p in saved.problems if p.get("kind") == "policy"]
    assert breach["key"] == KEY and breach["clause"] == "group policy 3.1.2"
    state, record, _ = stored(container, saved.version_id)
    assert state == "draft" and record["sha256"] == load_rule_set("group").sha256
    assert record["file"] == "bpmn/policy_rules/group.yaml" and [b["key"] for b in record["breaches"]] == [KEY]


def test_a_breach_without_a_justification_blocks_submission_naming_its_field(container, people):
    saved = four_day_draft(container, people["analyst"])
    before = version_rows(container)
    with pytest.raises(InvalidInput) as refused:
        submit_version(container.uow(), container.runtime, saved.version_id, people["analyst"], "4 days",
                       justifications={KEY: "   "})
    assert list(refused.value.fields) == [f"justification-{KEY}"]
    assert "3.1.2" in refused.value.fields[f"justification-{KEY}"][0]
    assert version_rows(container) == before


def test_a_justified_breach_goes_to_review_and_governance_sees_it_with_its_justification(container, people):
    saved = four_day_draft(container, people["analyst"])
    submit_version(container.uow(), container.runtime, saved.version_id, people["analyst"], "4 days",
                   justifications={KEY: "Christmas closure pilot agreed with the PSRD director"})
    state, record, _ = stored(container, saved.version_id)
    assert state == "in_review"
    assert record["breaches"][0]["justification"] == "Christmas closure pilot agreed with the PSRD director"
    page = review(container.uow(), container.runtime, saved.version_id)
    assert page.problems == [] and page.policy["sha256"] == load_rule_set("group").sha256
    [line] = page.policy["breaches"]
    assert (line["clause"], line["justification"]) == ("group policy 3.1.2",
                                                       "Christmas closure pilot agreed with the PSRD director")
    with container.session_factory() as session:
        event = session.scalars(select(m.Event).where(m.Event.version_id == saved.version_id,
                                                      m.Event.kind == "version_submitted")).one()
    assert event.data["policy_breaches"][0]["justification"].startswith("Christmas closure")


def test_publication_refuses_a_breach_that_was_not_justified_at_submission(container, people):
    saved = four_day_draft(container, people["analyst"])
    submit_version(container.uow(), container.runtime, saved.version_id, people["analyst"], "4 days",
                   justifications={KEY: "pilot"})
    approve_version(container.uow(), saved.version_id, people["gov"], "ok")
    with container.session_factory() as session, session.begin():  # as if the rules had changed since
        row = session.get(m.ProcessVersion, saved.version_id)
        row.policy_check = {**row.policy_check, "breaches": []}
    with pytest.raises(BundleInvalid, match="not justified when the version was submitted"):
        publish_version(container.uow(), container.runtime, saved.version_id, people["gov"])
    assert stored(container, saved.version_id)[0] == "in_review"


def test_a_manifest_naming_an_unknown_policy_is_an_ordinary_problem(container, people):
    with container.uow() as uow:
        manifest = uow.versions.published(PROCESS).files["bundle.json"]
    saved = save_version_draft(container.uow(), container.runtime, PROCESS,
                               {"bundle.json": manifest.replace('"include"', '"policy": "none", "include"')},
                               people["analyst"])
    [problem] = saved.problems
    assert problem["file"] == "bundle.json" and "policy 'none' is not one of group, training" in problem["message"]
    with pytest.raises(BundleInvalid):
        submit_version(container.uow(), container.runtime, saved.version_id, people["analyst"], "no rules")


def test_a_group_bundle_cannot_choose_the_laxer_training_rules_for_the_divisions_that_run_it(container, people):
    with container.uow() as uow:
        published = uow.versions.published(PROCESS)
        manifest, text = published.files["bundle.json"], published.files[INTAKE]
    saved = save_version_draft(container.uow(), container.runtime, PROCESS, {
        "bundle.json": manifest.replace('"include"', '"policy": "training", "include"'),
        INTAKE: text.replace(ACK, "working_days_after(complaint_received_at, 5)")}, people["analyst"])
    assert not [p for p in saved.problems if p.get("rule", "").startswith("group-")]  # held to training's 5 days
    before = version_rows(container)
    with pytest.raises(BundleInvalid, match="Interventions Alliance answers to the group policy"):
        submit_version(container.uow(), container.runtime, saved.version_id, people["analyst"], "5 days",
                       justifications={b["key"]: "x" for b in saved.problems if b.get("kind") == "policy"})
    assert version_rows(container) == before
