"""The run command's demo data: staff for every role in every division, and cases at every stage."""
import logging

import pytest
from sqlalchemy import func, select

from demo_data import load_demo
from processes.access import ROLES
from storage import models as m
from storage.reports_models import Category
from tests.conftest import add_layer

CLOSING_TASKS = ("investigate", "panel_review", "write_informal_response", "revise_formal_response",
                 "describe_compliment")  # investigate_formal and decide_appeal classify only when responding

# The demo loaded once per session and database kind onto a copy of the initialised template, for the tests that
# read what it produced; the tests of loading itself (its output and log, loading twice) load it themselves.
add_layer("demo_loaded", "container", load_demo)


@pytest.fixture
def demo_loaded(container):
    """A copy of an initialised database on which `load_demo` has run."""
    return container


def test_demo_data_has_every_role_in_every_division_and_cases_at_every_stage(container, capsys, caplog):
    caplog.set_level(logging.INFO, logger="demo_data")
    load_demo(container)
    assert "complaints-demo-2026" in capsys.readouterr().out
    assert [r.getMessage() for r in caplog.records if "stopped" in r.getMessage()] == []  # every answer was valid
    with container.session_factory() as session:
        roles = set(session.execute(select(m.Division.code, m.Membership.role).join(m.Division)).all())
        stages = set(session.scalars(select(m.Case.stage)))
        statuses = set(session.scalars(select(m.Case.status)))
        overdue = session.scalar(select(func.count()).select_from(m.Task).where(
            m.Task.state == "open", m.Task.due_at < container.clock.now()))
        divisions = set(session.scalars(select(m.Division.code)))
    assert {(code, role) for code in divisions for role in ROLES} <= roles
    assert {"closed", "open"} <= statuses
    assert len(stages) >= 4
    assert overdue > 0


def test_demo_cases_past_a_stage_response_carry_their_themes_for_the_reports(demo_loaded):
    with demo_loaded.session_factory() as session:
        codes = set(session.scalars(select(Category.code)))
        classified = list(session.scalars(select(m.Event.data).where(m.Event.kind == "case_classified")))
        responses = session.scalar(select(func.count()).select_from(m.Event).where(
            m.Event.kind == "task_completed", m.Event.element.in_(CLOSING_TASKS)))
    assert responses > 0 and len(classified) >= responses
    complaints = [c for c in classified if c["outcome"] != "recorded"]
    assert complaints and all(c["themes"] and set(c["themes"]) <= codes for c in complaints)


def test_loading_the_demo_twice_adds_nothing(container, capsys):
    load_demo(container)
    with container.session_factory() as session:
        before = session.scalar(select(func.count()).select_from(m.Case))
    load_demo(container)
    with container.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(m.Case)) == before


def test_demo_cases_read_like_real_complaints_with_no_placeholder_text(demo_loaded):
    with demo_loaded.session_factory() as session:
        summaries = set(session.scalars(select(m.Case.summary)))
        divisions = set(session.scalars(select(m.Division.code).join(m.Case)))
        texts = list(session.scalars(select(m.Instance.state))) + list(session.scalars(select(m.Outbox.body_text)))
    assert len(summaries) >= 20 and divisions == {"IA", "EUK", "ST", "PL"}
    assert not [t for t in texts if "Demo answer" in t or "someone@example.org" in t]
