"""Letters as they are queued: recipients, support needs, post, failures made visible, and the case's correspondence."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.correspondence import case_correspondence, mark_letter_posted, resend_letter
from processes.access import SYSTEM, Actor
from processes.errors import Conflict, Forbidden, NotFound
from processes.operators import LetterDraft
from storage import models as m
from tests.integration.test_outbox_dispatch import (
    IA_MAILBOX,
    case_of,
    dispatcher,
    event_kinds,
    route_to_demo,
    rows,
    start,
)
from tests.integration.test_smtp_sender import smtp_server  # noqa: F401  (fixture)

TEAM = Actor("casey", user_id=99, roles={"IA": frozenset({"complaints_team"})})


def queue(container, reference: str, template: str, recipient: str, key: str = "task-1", **params) -> None:
    """Queue a draft the way an engine step does, in one transaction."""
    with container.uow() as uow:
        case = uow.cases.by_reference(reference)
        division = uow.divisions.get(case.division_id)
        container.runtime.letters.queue(uow, case, division, LetterDraft(
            recipient, template, {"data": {}, **params}, f"{reference}:{key}:{template}:{recipient}"),
            container.clock.now())
        uow.commit()


def add_staff(container, username: str, email: str, role: str, division: str = "IA", active: bool = True) -> None:
    with container.session_factory() as session, session.begin():
        user = m.User(username=username, display_name=username.title(), email=email, is_active=active)
        session.add(user)
        session.flush()
        division_id = session.scalar(select(m.Division.id).where(m.Division.code == division))
        session.add(m.Membership(user_id=user.id, division_id=division_id, role=role))


def test_an_acknowledgement_goes_to_the_complainant_with_their_advocate_copied_in(container):
    route_to_demo(container)
    reference = start(container, support_needs={"advocate_email": "advocate@example.org", "large_print": True,
                                                "language": "Polish", "formats": ["easy_read"]})
    [row] = rows(container)
    assert (row.recipient, row.cc, row.addressee, row.status) == ("jo@example.org", ["advocate@example.org"],
                                                                 "complainant", "pending")
    assert row.reply_to == IA_MAILBOX and row.template == "acknowledgement"
    assert row.adjustments == ["large print", "advocate copied in",
                               "preferred language Polish: arrange a translated copy",
                               "preferred format easy read: arrange this format"]
    assert "font-size:18pt" in row.body_html and reference in row.subject


def test_a_complainant_without_email_gets_a_letter_for_the_post_that_is_never_emailed(container, smtp_server):
    route_to_demo(container)
    reference = start(container, email="", address="1 High Street")
    [row] = rows(container)
    assert (row.status, row.delivery, row.recipient) == ("manual", "post", "post")
    assert "send by post: print and post this letter" in row.adjustments

    dispatcher(container, smtp_server).dispatch()
    mark_letter_posted(container.uow(), reference, row.id, TEAM)

    assert smtp_server.received == []
    assert rows(container)[0].status == "posted" and "letter_posted" in event_kinds(container, reference)
    with pytest.raises(Conflict):
        mark_letter_posted(container.uow(), reference, row.id, TEAM)


def test_a_complainant_who_prefers_post_gets_paper_and_their_advocate_an_emailed_copy(container):
    route_to_demo(container)
    start(container, contact_preference="post", support_needs={"advocate_email": "advocate@example.org"})
    paper, copy = rows(container)
    assert (paper.delivery, paper.status, copy.recipient, copy.status) == ("post", "manual", "advocate@example.org",
                                                                           "pending")


def test_staff_letters_go_to_the_roles_mailbox_else_its_members_else_the_complaints_mailbox(container):
    route_to_demo(container)
    reference = start(container)
    add_staff(container, "lee", "lee@seetec.example", "line_manager")
    add_staff(container, "kim", "kim@seetec.example", "line_manager")
    add_staff(container, "old", "old@seetec.example", "line_manager", active=False)
    add_staff(container, "pat", "pat@seetec.example", "line_manager", division="EUK")
    with container.session_factory() as session, session.begin():
        ia = session.scalars(select(m.Division).where(m.Division.code == "IA")).one()
        ia.config = {**ia.config, "mailboxes": {"hr": "hr-team@seetec.example"}}

    for n, role in enumerate(("line_manager", "hr", "complaints_team", "psrd_director")):
        queue(container, reference, "sla_breach", f"role:{role}", key=f"t{n}")
    queue(container, reference, "learning_review_due", "user:lee", key="t9")
    queue(container, reference, "compliment_notice", "mailbox:feedback_mailbox", key="t10")

    staff = [(r.addressee, r.recipient) for r in rows(container, m.Outbox.template != "acknowledgement")]
    assert staff == [("role:line_manager", "kim@seetec.example"), ("role:line_manager", "lee@seetec.example"),
                     ("role:hr", "hr-team@seetec.example"), ("role:complaints_team", IA_MAILBOX),
                     ("role:psrd_director", IA_MAILBOX), ("user:lee", "lee@seetec.example"),
                     ("mailbox:feedback_mailbox", "IAfeedback@interventionsalliance.com")]
    breach = rows(container, m.Outbox.addressee == "role:line_manager")[0]
    assert "as a line manager" in breach.body_text and breach.reply_to is None


def test_a_breach_alert_to_the_assignees_reaches_whoever_holds_the_cases_open_tasks(container):
    route_to_demo(container)
    reference = start(container)
    queue(container, reference, "sla_breach", "assignees", key="unassigned")
    add_staff(container, "ola", "ola@seetec.example", "complaints_team")
    with container.session_factory() as session, session.begin():
        task = session.scalars(select(m.Task).where(m.Task.state == "open")).one()
        task.assignee_id = session.scalar(select(m.User.id).where(m.User.username == "ola"))
    queue(container, reference, "sla_breach", "assignees", key="assigned")

    alerts = rows(container, m.Outbox.addressee == "assignees")
    assert [r.recipient for r in alerts] == [IA_MAILBOX, "ola@seetec.example"]
    assert "as the person the work is assigned to" in alerts[1].body_text


def test_an_alert_to_two_roles_that_share_a_mailbox_arrives_there_once(container):
    route_to_demo(container)
    reference = start(container)
    queue(container, reference, "sla_breach", "role:line_manager", key="same-step")
    queue(container, reference, "sla_breach", "role:complaints_team", key="same-step")
    assert [(r.addressee, r.recipient) for r in rows(container, m.Outbox.template == "sla_breach")] == [
        ("role:line_manager", IA_MAILBOX)]


def test_queueing_the_same_draft_again_writes_no_second_letter(container):
    route_to_demo(container)
    reference = start(container)
    queue(container, reference, "panel_chase", "role:complaints_team")
    queue(container, reference, "panel_chase", "role:complaints_team")
    assert len(rows(container, m.Outbox.template == "panel_chase")) == 1


def test_a_letter_that_cannot_be_written_is_kept_as_failed_with_an_incident_on_the_case(container):
    route_to_demo(container)
    reference = start(container)
    queue(container, reference, "no_such_letter", "complainant")
    queue(container, reference, "panel_chase", "user:nobody", key="t2")

    failed = rows(container, m.Outbox.status == "failed")
    assert [r.last_error for r in failed] == [
        "there is no letter template 'no_such_letter' (missing no_such_letter/subject.txt)",
        "no user 'nobody' with an email address"]
    incident = case_of(container, reference).incident
    assert "'no_such_letter'" in incident and "'panel_chase'" in incident
    assert event_kinds(container, reference).count("letter_failed") == 2


def test_the_case_lists_every_message_with_its_text_status_and_times(container, clock, smtp_server):
    route_to_demo(container)
    reference = start(container)
    queue(container, reference, "panel_chase", "role:complaints_team")
    dispatcher(container, smtp_server, batch=1).dispatch(max_batches=1)  # one goes now, one waits
    queue(container, reference, "consent_request", "complainant", key="t2")

    letters = case_correspondence(container.uow(), reference, TEAM)

    assert [(x.template, x.state, x.state_label) for x in letters] == [
        ("acknowledgement", "sent", "sent"), ("panel_chase", "pending", "waiting to be sent"),
        ("consent_request", "pending", "waiting to be sent")]
    sent = letters[0]
    assert sent.sent_at == clock.now() and sent.message_id and sent.next_attempt_at is None
    assert "Dear Jo Bloggs" in sent.body_text and sent.body_html.startswith("<!DOCTYPE html>")
    with pytest.raises(NotFound):
        case_correspondence(container.uow(), reference, Actor("eve", user_id=5, roles={"EUK": frozenset({"hr"})}))


def test_a_failed_letter_resent_to_a_corrected_address_goes_out_and_clears_the_incident(container, smtp_server):
    route_to_demo(container)
    reference = start(container, email="jo@@example.org")
    dispatcher(container, smtp_server).dispatch()
    [row] = rows(container)
    assert row.status == "failed" and case_of(container, reference).incident

    with pytest.raises(Forbidden):
        resend_letter(container.uow(), reference, row.id, Actor("lm", user_id=7, roles={"IA": frozenset({"hr"})}),
                      "jo@example.org")
    resend_letter(container.uow(), reference, row.id, TEAM, "jo@example.org")
    assert case_of(container, reference).incident is None
    dispatcher(container, smtp_server).dispatch()

    assert [r.rcpt_tos for r in smtp_server.received] == [["jo@example.org"]]
    assert rows(container)[0].status == "sent" and "letter_resent" in event_kinds(container, reference)
    assert case_correspondence(container.uow(), reference, SYSTEM)[0].state == "sent"
