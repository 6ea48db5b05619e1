"""Server-side template injection: bundle letter templates render in a sandbox and are refused when they reach out.

A bundle's templates are code written by a process analyst. The import is refused whole, with a problem against the
template file, before anything is stored; a template that got into a stored version before these checks becomes a
failed letter and a case incident when it is sent, and never runs a command.
"""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import select

from handlers.letters import Delivery, letter_context
from handlers.rendering import LetterNotRenderable, LetterRenderer
from processes import lifecycle
from processes.bundle import bundle_from_directory
from processes.calendar import WorkingCalendar
from storage import models as m
from tests.governance_support import DEMO, PROCESS, add_user, sign_in, use_demo_process, version_rows, web_client
from tests.unit.test_templates import SENT, case, division

SUBJECT = "templates/acknowledgement/subject.txt"


def popen(marker) -> str:
    return "{{ cycler.__init__.__globals__.os.popen('touch %s').read() }}" % marker


ESCAPES = {
    "globals through a helper": lambda marker: popen(marker),
    "globals by subscript": lambda marker: "{{ cycler['__init__']['__globals__'].os.popen('touch %s') }}" % marker,
    "class and mro walk": lambda marker: "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "lipsum globals": lambda marker: "{{ lipsum.__globals__['os'].popen('touch %s') }}" % marker,
    "attr filter": lambda marker: "{{ cycler|attr('__init__') }}",
    "map attribute": lambda marker: "{{ [cycler]|map(attribute='__init__')|list }}",
    "escaping switched off": lambda marker: "{{ case.summary|safe }}",
    "autoescape block": lambda marker: "{% autoescape false %}{{ case.summary }}{% endautoescape %}",
    "generator frame": lambda marker: "{{ (range(3)|map('string')).gi_frame.f_back.f_builtins }}",
}


@pytest.fixture
def people(container):
    use_demo_process(container)
    add_user(container, "ana", "process_analyst")
    return container


def demo_zip(**extra: str) -> bytes:
    files = {**bundle_from_directory(DEMO).files, **{name: text.encode() for name, text in extra.items()}}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def import_zip(client, data: bytes):
    return client.post("/modeler/import", data={"bundle": (io.BytesIO(data), "demo.zip")},
                       content_type="multipart/form-data")


@pytest.mark.parametrize("payload", ESCAPES.values(), ids=ESCAPES.keys())
def test_an_imported_bundle_whose_template_reaches_past_the_letter_is_refused_and_nothing_is_stored(
        people, tmp_path, payload):
    marker = tmp_path / "ran"
    analyst = sign_in(web_client(people), "ana")
    before = version_rows(people)
    response = import_zip(analyst, demo_zip(**{SUBJECT: payload(marker)}))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The bundle was not imported." in page and SUBJECT in page
    assert re.search(r"internal to Python|not allowed|autoescape block", page)
    assert version_rows(people) == before
    assert not marker.exists()


def test_a_bundle_template_that_does_not_compile_is_refused_against_its_file_and_line(people):
    analyst = sign_in(web_client(people), "ana")
    before = version_rows(people)
    response = import_zip(analyst, demo_zip(**{SUBJECT: "line one\n{% if %}"}))
    assert response.status_code == 400
    assert f"{SUBJECT} line 2 is not a valid template" in response.get_data(as_text=True)
    assert version_rows(people) == before


def test_a_bundle_with_its_own_plain_wording_still_imports(people):
    analyst = sign_in(web_client(people), "ana")
    response = import_zip(analyst, demo_zip(**{SUBJECT: "We have your complaint ({{ case.reference }})"}))
    assert response.status_code == 302


def hostile_published_version(container, template: str) -> None:
    """A published version that carries a template, as one stored before bundle templates were checked would."""
    with container.session_factory() as session, session.begin():
        version = session.scalars(select(m.ProcessVersion).where(m.ProcessVersion.process_key == PROCESS,
                                                                 m.ProcessVersion.state == "published")).one()
        version.files = {**version.files, SUBJECT: template}


def test_a_stored_template_that_reaches_out_becomes_a_case_incident_when_sent_and_runs_nothing(container, tmp_path):
    use_demo_process(container)
    marker = tmp_path / "ran"
    hostile_published_version(container, popen(marker))
    reference = lifecycle.start_case(container.uow(), container.runtime, division="IA", kind="complaint",
                                     complainant={"name": "Jo Bloggs", "email": "jo@example.org"},
                                     summary="My appointment was cancelled twice")
    assert not marker.exists()
    with container.session_factory() as session:
        found = session.scalars(select(m.Case).where(m.Case.reference == reference)).one()
        letters = list(session.scalars(select(m.Outbox).where(m.Outbox.case_id == found.id)))
        kinds = list(session.scalars(select(m.Event.kind).where(m.Event.case_id == found.id)))
    assert [(row.template, row.status) for row in letters] == [("acknowledgement", "failed")]
    assert "acknowledgement" in found.incident and "internal to Python" in found.incident
    assert letters[0].body_html == "" and "letter_failed" in kinds


def test_a_public_complaint_on_a_version_with_a_computed_unsafe_lookup_is_received_and_the_letter_fails_visibly(
        container):
    use_demo_process(container)
    hostile_published_version(container, "{% set k = '__in' ~ 'it__' %}{{ cycler[k] }}")
    client = web_client(container)
    answers = {"summary": "I waited an hour.", "happened_on": "2026-12-01", "on_behalf": "no", "name": "Pat Jones",
               "email": "pat@example.org", "contact_preference": "email", "needs_support": "no", "step": "check"}
    response = client.post("/public/IA/complaint", data=answers)
    assert response.status_code == 302
    with container.session_factory() as session:
        [found] = session.scalars(select(m.Case))
        [row] = session.scalars(select(m.Outbox).where(m.Outbox.case_id == found.id))
    assert row.status == "failed" and "SecurityError" in row.last_error and "not allowed" in row.last_error
    assert "could not be sent" in found.incident


def render_with(files: dict[str, str], template: str = "acknowledgement", name: str = "Jo Bloggs"):
    renderer = LetterRenderer()
    env = renderer.environment(f"sha-{hash(tuple(sorted(files.items())))}", files)
    context = letter_context(case(name=name), division(), {"data": {}}, Delivery("jo@example.org", "complainant"),
                             WorkingCalendar(), SENT)
    return renderer.render(template, context, env)


def test_bundle_html_letters_escape_what_people_typed_even_through_an_included_text_file():
    letter = render_with({"templates/acknowledgement/body.html": "<p>{% include 'parts/name.txt' %}</p>",
                          "templates/parts/name.txt": "{{ case.complainant.name }}"},
                         name="<script>alert(1)</script>")
    assert "<script>" not in letter.html and "&lt;script&gt;alert(1)&lt;/script&gt;" in letter.html
    assert "<script>alert(1)</script>" in letter.text  # the plain-text part keeps what was typed


@pytest.mark.parametrize("payload", [
    "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
    "{% macro d(s, n) %}{% if n %}{{ d(s ~ s, n - 1) }}{% endif %}{% endmacro %}{{ d('x', 64) }}",
    "{{ 'x' * 10**10 }}", "{{ 9 ** (9 ** 9) }}", "{{ 'x'.center(10**9) }}", "{{ '%1000000000s'|format('x') }}",
], ids=["nested loops", "doubling macro", "huge repeat", "huge power", "huge padding", "huge format"])
def test_a_template_that_would_spend_without_bound_is_stopped_as_unrenderable(payload):
    with pytest.raises(LetterNotRenderable, match="SecurityError|OverflowError"):
        render_with({"templates/acknowledgement/subject.txt": payload})


def test_a_bundle_template_reads_the_letter_data_and_helpers_as_the_shipped_ones_do():
    letter = render_with({"templates/acknowledgement/subject.txt":
                          "{{ case.reference }} due {{ working_days_after(3) }} ({{ 'formal'|stage_key|humanise }})"})
    assert letter.subject == "IA-2026-000001 due Wednesday 30 December 2026 (formal)"
    assert "we are dealing with it" in letter.text  # the parts it does not carry still come from the shipped set
