"""The outbox dispatcher against a real SMTP server, on SQLite and PostgreSQL, driven by the test clock."""
from __future__ import annotations

import re
import threading
from datetime import timedelta

from sqlalchemy import select

from handlers.dispatch import OutboxDispatcher, RetryPolicy
from processes import lifecycle
from processes.access import SYSTEM
from processes.operators import LetterDraft
from scheduler import dispatch_outbox, make_scheduler, sweep_timers
from storage import models as m
from tests.integration.test_smtp_sender import smtp_server, smtp_server_down  # noqa: F401  (fixtures)

SENDER = "complaints@seetec.example"
IA_MAILBOX = "IAComplaints@interventionsalliance.com"
POLICY = RetryPolicy(first_delay=timedelta(minutes=1), max_delay=timedelta(minutes=30), max_attempts=6)


def route_to_demo(container) -> None:
    """Run every division's complaints on the demo diagram, whatever divisions.json says today."""
    with container.session_factory() as session, session.begin():
        for division in session.scalars(select(m.Division)):
            division.config = {**division.config,
                               "processes": {**division.config.get("processes", {}), "complaint": "demo_complaint"}}


def start(container, email="jo@example.org", division="IA", **complainant) -> str:
    return lifecycle.start_case(container.uow(), container.runtime, division=division, kind="complaint",
                                complainant={"name": "Jo Bloggs", "email": email, **complainant},
                                summary="My appointment was cancelled twice")


def dispatcher(container, server, owner="dispatcher-a", **options) -> OutboxDispatcher:
    return OutboxDispatcher(container.uow, server.sender(), container.clock, owner=owner, sender_address=SENDER,
                            policy=options.pop("policy", POLICY), **options)


def rows(container, *where) -> list[m.Outbox]:
    with container.session_factory() as session:
        return list(session.scalars(select(m.Outbox).where(*where).order_by(m.Outbox.id)))


def case_of(container, reference: str) -> m.Case:
    with container.session_factory() as session:
        return session.scalars(select(m.Case).where(m.Case.reference == reference)).one()


def event_kinds(container, reference: str) -> list[str]:
    with container.session_factory() as session:
        case_id = session.scalar(select(m.Case.id).where(m.Case.reference == reference))
        return list(session.scalars(select(m.Event.kind).where(m.Event.case_id == case_id).order_by(m.Event.id)))


def test_a_full_demo_case_sends_exactly_its_acknowledgement_and_reminder(container, clock, smtp_server):
    route_to_demo(container)
    reference = start(container, support_needs={"advocate_email": "advocate@example.org"})
    clock.set(clock.now() + timedelta(days=7))  # past the triage reminder, before the triage deadline
    assert sweep_timers(container) == 1
    [task_id] = [t.id for t in _open_tasks(container, reference)]
    lifecycle.complete_task(container.uow(), container.runtime, task_id, {"eligible": True, "notes": "ok"}, SYSTEM)
    lifecycle.deliver_message(container.uow(), container.runtime, reference, "complainant_replied", {"text": "ok"})

    report = dispatcher(container, smtp_server).dispatch()

    got = sorted((r.rcpt_tos[0], tuple(r.rcpt_tos[1:]), r.message["Subject"]) for r in smtp_server.received)
    assert got == [
        (IA_MAILBOX, (), f"{reference}: deadline approaching (Monday 4 January 2027)"),
        ("jo@example.org", ("advocate@example.org",),
         f"Interventions Alliance: we have received your complaint ({reference})"),
    ]
    sent = rows(container)
    assert [r.status for r in sent] == ["sent", "sent"] and len(report.sent) == 2
    assert {r.message["Message-ID"] for r in smtp_server.received} == {r.message_id for r in sent}
    assert event_kinds(container, reference).count("letter_sent") == 2
    assert dispatcher(container, smtp_server).dispatch().sent == []  # nothing goes twice


def test_every_letter_the_divisions_own_diagram_queues_arrives_once(container, smtp_server):
    reference = start(container)  # on whatever process divisions.json routes IA complaints to
    queued = rows(container, m.Outbox.status == "pending")

    dispatcher(container, smtp_server).dispatch()

    assert sorted(r.message["Message-ID"] for r in smtp_server.received) == sorted(r.message_id for r in
                                                                                   rows(container, m.Outbox.id.in_(
                                                                                       [q.id for q in queued])))
    assert all(r.status == "sent" for r in rows(container, m.Outbox.status != "manual")), reference


def test_letters_wait_out_an_smtp_outage_and_then_arrive_exactly_once(container, clock, smtp_server_down):
    route_to_demo(container)
    references = [start(container, email=f"person{i}@example.org") for i in range(3)]
    down = dispatcher(container, smtp_server_down)
    delays = []
    for attempt in range(1, 4):  # the server is down for the first three attempts
        report = down.dispatch()
        assert len(report.retried) == 3 and report.sent == []
        waiting = rows(container)
        assert {r.attempts for r in waiting} == {attempt} and {r.status for r in waiting} == {"pending"}
        assert all("cannot reach the SMTP server" in r.last_error for r in waiting)
        delays.append(waiting[0].next_attempt_at - clock.now())
        assert down.dispatch().retried == []  # not due again until the backoff has passed
        clock.set(waiting[0].next_attempt_at)
    assert delays == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]

    smtp_server_down.start()
    report = dispatcher(container, smtp_server_down).dispatch()
    clock.advance(days=1)
    again = dispatcher(container, smtp_server_down).dispatch()

    assert len(report.sent) == 3 and again.sent == []
    received = sorted(r.rcpt_tos[0] for r in smtp_server_down.received)
    assert received == ["person0@example.org", "person1@example.org", "person2@example.org"]
    assert len({r.message["Message-ID"] for r in smtp_server_down.received}) == 3
    assert all(r.status == "sent" and r.attempts == 4 for r in rows(container))
    assert all(case_of(container, ref).incident is None for ref in references)


def test_a_letter_that_keeps_failing_gives_up_at_the_cap_and_raises_an_incident(container, clock, smtp_server_down):
    route_to_demo(container)
    reference = start(container)
    down = dispatcher(container, smtp_server_down, policy=RetryPolicy(max_attempts=3))
    for _ in range(3):
        down.dispatch()
        clock.advance(hours=2)

    [row] = rows(container)
    assert row.status == "failed" and row.last_error.startswith("gave up after 3 attempts")
    assert "could not be sent" in case_of(container, reference).incident
    assert "letter_failed" in event_kinds(container, reference)


def test_a_malformed_recipient_fails_that_letter_clearly_and_the_others_go_out(container, smtp_server):
    route_to_demo(container)
    good_before = start(container, email="first@example.org")
    bad = start(container, email="jo.bloggs@@example")
    good_after = start(container, email="last@example.org")

    report = dispatcher(container, smtp_server).dispatch()

    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == ["first@example.org", "last@example.org"]
    [failed] = rows(container, m.Outbox.status == "failed")
    assert report.failed == [failed.id]
    assert failed.last_error == "malformed recipient address 'jo.bloggs@@example'"
    incident = case_of(container, bad).incident
    assert "acknowledgement" in incident and "jo.bloggs@@example" in incident
    assert "letter_failed" in event_kinds(container, bad)
    assert case_of(container, good_before).incident is None and case_of(container, good_after).incident is None


def test_a_recipient_the_server_refuses_for_good_fails_without_retrying(container, smtp_server):
    route_to_demo(container)
    reference = start(container, email="gone@example.org")
    smtp_server.handler.refused_recipients["gone@example.org"] = "550 5.1.1 Mailbox does not exist"

    report = dispatcher(container, smtp_server).dispatch()

    [row] = rows(container)
    assert report.failed == [row.id] and row.status == "failed" and row.attempts == 1
    assert "550" in row.last_error
    assert "550" in case_of(container, reference).incident


def test_a_refused_advocate_copy_is_noted_while_the_letter_is_sent(container, smtp_server):
    route_to_demo(container)
    start(container, support_needs={"advocate_email": "advocate@example.org"})
    smtp_server.handler.refused_recipients["advocate@example.org"] = "550 5.1.1 No such user"

    dispatcher(container, smtp_server).dispatch()

    [row] = rows(container)
    assert row.status == "sent" and "copy to advocate@example.org refused: 550" in row.last_error
    assert [r.rcpt_tos for r in smtp_server.received] == [["jo@example.org"]]


def test_two_dispatchers_running_at_once_never_send_the_same_letter(container, smtp_server):
    route_to_demo(container)
    reference = start(container)
    with container.uow() as uow:
        case = uow.cases.by_reference(reference)
        division = uow.divisions.get(case.division_id)
        for i in range(40):
            container.runtime.letters.queue(uow, case, division, LetterDraft(
                f"person{i}@example.org", "sla_warning", {"data": {}}, f"{reference}:task-{i}:sla_warning"),
                container.clock.now())
        uow.commit()
    workers = [dispatcher(container, smtp_server, owner=f"dispatcher-{n}", batch=3) for n in range(4)]
    barrier = threading.Barrier(len(workers))

    def run(worker):
        barrier.wait()
        worker.dispatch()

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    ids = [r.message["Message-ID"] for r in smtp_server.received]
    assert len(ids) == 41 and len(set(ids)) == 41
    assert {r.status for r in rows(container)} == {"sent"}


def test_the_scheduler_runs_the_dispatcher_with_smtp_settings(container, smtp_server):
    route_to_demo(container)
    start(container)
    container.settings.smtp_port = smtp_server.port

    [job] = [j for j in make_scheduler(container).get_jobs() if j.id == "dispatch_outbox"]
    assert job.trigger.interval == timedelta(seconds=container.settings.sweep_seconds)  # as often as timer sweeps
    assert dispatch_outbox(container) == 1
    message = smtp_server.received[0].message
    assert message["From"] == IA_MAILBOX != container.settings.mail_from  # the division's own sender
    assert re.fullmatch(r"IAComplaints\+ia-\d{4}-\d{6}\.[0-9a-f]{12}@interventionsalliance\.com",
                        message["Reply-To"])  # the reply token, in the division's reply address


def test_a_division_without_a_sender_of_its_own_sends_from_the_default(container, smtp_server):
    route_to_demo(container)
    with container.uow() as uow:
        for division in uow.divisions.all():
            division.config = {k: v for k, v in division.config.items() if k != "complaints_mailbox"}
        uow.commit()
    start(container)
    container.settings.smtp_port = smtp_server.port
    assert dispatch_outbox(container) == 1
    assert smtp_server.received[0].message["From"] == container.settings.mail_from


def _open_tasks(container, reference: str) -> list[m.Task]:
    with container.session_factory() as session:
        case_id = session.scalar(select(m.Case.id).where(m.Case.reference == reference))
        return list(session.scalars(select(m.Task).where(m.Task.case_id == case_id, m.Task.state == "open")))
