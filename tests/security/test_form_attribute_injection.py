"""Attribute injection through task forms: property names are plain identifiers, and every value is escaped.

A form's property names become field names, HTML ids and the targets of error links. Bundle validation refuses any
name that is not a plain identifier, against the form file and property; and the renderer escapes everything it
writes anyway, so a form stored before that check still cannot add attributes or markup to a staff page.
"""
from __future__ import annotations

import io
import json
import zipfile
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from processes.bundle import bundle_from_directory
from storage import models as m
from tests.governance_support import DEMO, add_user, sign_in, use_demo_process, version_rows, web_client
from tests.web.conftest import login, open_case, open_task, staff, webtest  # noqa: F401  (fixtures)
from web.forms_render import render

HOSTILE_NAME = 'x" autofocus onfocus="alert(document.cookie)'
HOSTILE_TEXT = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


class Attributes(HTMLParser):
    """Every tag and attribute name a page really has, as a browser would parse it."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[str] = []
        self.attributes: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes |= {name for name, _ in attrs}


def assert_inert(html: str) -> None:
    parsed = Attributes(html)
    assert not [a for a in parsed.attributes if a.startswith("on")], parsed.attributes
    assert "autofocus" not in parsed.attributes
    assert "script" not in parsed.tags and "img" not in parsed.tags


@pytest.fixture
def people(container):
    use_demo_process(container)
    add_user(container, "ana", "process_analyst")
    return container


def demo_zip_with_triage(schema: dict) -> bytes:
    files = {**bundle_from_directory(DEMO).files, "forms/triage.json": json.dumps(schema).encode()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def triage_with(**properties) -> dict:
    schema = json.loads(bundle_from_directory(DEMO).files["forms/triage.json"])
    schema["properties"].update(properties)
    return schema


@pytest.mark.parametrize("name", [HOSTILE_NAME, "has space", "1starts_with_digit", "dotted.name", "dash-ed", ""])
def test_a_bundle_whose_form_names_a_property_that_is_not_a_plain_identifier_is_refused_and_nothing_stored(
        people, name):
    analyst = sign_in(web_client(people), "ana")
    before = version_rows(people)
    response = analyst.post("/modeler/import", data={
        "bundle": (io.BytesIO(demo_zip_with_triage(triage_with(**{name: {"type": "string"}}))), "demo.zip")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "form forms/triage.json names property" in page and "may hold only letters, digits and _" in page
    assert version_rows(people) == before
    assert_inert(page)


def test_a_nested_property_that_is_not_a_plain_identifier_is_named_by_its_path(people):
    analyst = sign_in(web_client(people), "ana")
    nested = {"type": "array", "items": {"type": "object", "properties": {"who?": {"type": "string"}}}}
    response = analyst.post("/modeler/import", data={
        "bundle": (io.BytesIO(demo_zip_with_triage(triage_with(actions=nested))), "demo.zip")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "names property &#39;actions.who?&#39;" in response.get_data(as_text=True)


def test_plain_identifiers_with_underscores_and_digits_are_accepted(people):
    analyst = sign_in(web_client(people), "ana")
    response = analyst.post("/modeler/import", data={
        "bundle": (io.BytesIO(demo_zip_with_triage(triage_with(_private_note={"type": "string"},
                                                                 step2_reason={"type": "string"}))), "demo.zip")},
        content_type="multipart/form-data")
    assert response.status_code == 302


def stored_form_with_hostile_property(container) -> None:
    """The web test process's record form as a version stored before property names were checked could hold it."""
    with container.session_factory() as session, session.begin():
        version = session.scalars(select(m.ProcessVersion).where(m.ProcessVersion.process_key == "web_test")).one()
        schema = json.loads(version.files["forms/record.json"])
        schema["properties"][HOSTILE_NAME] = {"type": "string", "title": HOSTILE_TEXT, "description": HOSTILE_TEXT}
        schema["required"] = [*schema["required"], HOSTILE_NAME]
        version.files = {**version.files, "forms/record.json": json.dumps(schema)}


def test_a_stored_form_with_a_hostile_property_name_renders_inert_with_its_error_link_escaped(webtest, staff):
    stored_form_with_hostile_property(webtest)
    reference = open_case(webtest)
    task_id = open_task(webtest, reference)
    client = login(web_client(webtest), "ia.team")
    response = client.post(f"/tasks/{task_id}", data={"summary": "", "_action": "complete"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    escaped_id = "f-x&#34; autofocus onfocus=&#34;alert(document-cookie)"  # dots become dashes in ids
    assert f'href="#{escaped_id}"' in page and f'id="{escaped_id}"' in page
    assert 'name="x&#34; autofocus onfocus=&#34;alert(document.cookie)"' in page
    assert_inert(page)


def test_every_label_hint_choice_and_kept_file_name_is_escaped_where_it_is_written():
    schema = {"type": "object", "properties": {
        "text": {"type": "string", "title": HOSTILE_TEXT, "description": HOSTILE_TEXT},
        "pick": {"type": "string", "enum": [HOSTILE_TEXT, "b"], "enumNames": [HOSTILE_TEXT, HOSTILE_TEXT]},
        "many": {"type": "string", "enum": [str(i) for i in range(8)], "enumNames": [HOSTILE_TEXT] * 8},
        "ticks": {"type": "array", "items": {"enum": [HOSTILE_TEXT]}},
        "upload": {"type": "object", "x-attachment": True},
        "rows": {"type": "array", "items": {"type": "object", "title": HOSTILE_TEXT,
                                            "properties": {"cell": {"type": "string"}}}},
        "secret": {"type": "string"}}}
    ui = {"text": {"ui:placeholder": HOSTILE_TEXT, "ui:help": HOSTILE_TEXT},
          "rows": {"ui:options": {"addLabel": HOSTILE_TEXT}}, "secret": {"ui:widget": "hidden"}}
    data = {"text": HOSTILE_TEXT, "pick": HOSTILE_TEXT, "secret": HOSTILE_TEXT, "ticks": [HOSTILE_TEXT],
            "upload": {"file_id": HOSTILE_TEXT, "filename": HOSTILE_TEXT, "size": HOSTILE_TEXT}}
    html = str(render(schema, ui, data, {"text": [HOSTILE_TEXT], "rows.0.cell": [HOSTILE_TEXT]}))
    assert_inert(html)
    assert HOSTILE_TEXT not in html and "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_modeler_form_preview_escapes_a_hostile_draft_form(people):
    analyst = sign_in(web_client(people), "ana")
    schema = {"type": "object", "properties": {HOSTILE_NAME: {"type": "string", "title": HOSTILE_TEXT}}}
    response = analyst.post("/modeler/form-preview", json={"schema": json.dumps(schema), "ui": ""})
    assert response.status_code == 200
    assert_inert(response.get_data(as_text=True))
