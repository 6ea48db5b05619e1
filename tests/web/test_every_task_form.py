"""Every task form of every shipped bundle, drawn as its page draws it and filled in as a person would, is read back
and accepted: the schema that renders a form is the one that reads it (choices of people included)."""
from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from processes.access import SYSTEM
from processes.accounts import hash_password
from processes.bundle import bundle_from_directory
from processes.calendar import LONDON, WorkingCalendar
from processes.closing_forms import effective_form
from processes.engine import parse_bundle, task_properties
from processes.errors import InvalidInput
from processes.form_dates import DateContext
from processes.lifecycle import start_case
from processes.staffing import staffed_form, validate_task_data
from tests.conftest import add_categories
from web.form_data import attachment_paths, parse
from web.forms_render import render

ROOT = Path(__file__).resolve().parents[2] / "bpmn"
BUNDLES = {"group_complaint": "IA", "training_complaint": "ST", "compliment": "IA", "demo": "IA"}
ROLES = ("complaints_team", "line_manager", "investigating_officer", "appeal_panel", "psrd_director", "hr")


def _user_tasks():
    """(bundle, task id, form file) of every user task of every shipped bundle that shows a form."""
    found = []
    for name in sorted(BUNDLES):
        definition = parse_bundle(bundle_from_directory(ROOT / name))
        seen = set()
        for spec in definition.all_specs():
            for task_spec in spec.task_specs.values():
                form = task_properties(task_spec).get("formJsonSchemaFilename")
                if form and (task_spec.bpmn_id, form) not in seen:
                    seen.add((task_spec.bpmn_id, form))
                    found.append((name, task_spec.bpmn_id, form))
    return found


USER_TASKS = _user_tasks()


class _Inputs(HTMLParser):
    """The controls of a rendered form, as a browser would see them."""

    def __init__(self):
        super().__init__()
        self.controls: list[dict] = []
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "textarea") and attrs.get("name"):
            self.controls.append({"tag": tag, **attrs})
        elif tag == "select" and attrs.get("name"):
            self._select = {"tag": "select", "name": attrs["name"], "options": []}
            self.controls.append(self._select)
        elif tag == "option" and self._select is not None and attrs.get("value"):
            self._select["options"].append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _fill(controls: list[dict], choice: dict[str, int], dates: dict[str, str]) -> MultiDict:
    """What a person filling every field would post: the `choice[name]`-th option of each group, text, dates."""
    posted, groups = MultiDict(), {}
    for control in controls:
        kind, name = control.get("type", control["tag"]), control["name"]
        if kind == "hidden":
            posted.add(name, control.get("value", ""))
        elif kind in ("radio", "checkbox"):
            groups.setdefault((kind, name), []).append(control.get("value", ""))
        elif control["tag"] == "select":
            groups.setdefault(("select", name), []).extend(control["options"])
        elif kind == "date":
            posted.add(name, dates.get(name.split(".")[-1], dates["_today"]))
        elif kind == "email":
            posted.add(name, "someone@example.org")
        elif kind == "number":
            posted.add(name, "1")
        elif kind != "file":
            posted.add(name, "A plain answer a person would give.")
    for (kind, name), values in groups.items():
        start = choice.get(name, 0) % max(len(values), 1)
        picked = values[start:start + 2] if kind == "checkbox" else values[start:start + 1]
        for value in picked or values[:1]:
            posted.add(name, value)
    return posted


def _planned_dates(schema: dict, today, calendar: WorkingCalendar) -> dict[str, str]:
    ahead = today + timedelta(days=1)
    while not calendar.is_working_day(ahead):
        ahead += timedelta(days=1)
    soon = today if calendar.is_working_day(today) else ahead
    dates = {"_today": today.isoformat()}

    def walk(spec):
        for name, inner in ((spec or {}).get("properties") or {}).items():
            rule = (inner or {}).get("x-date")
            if rule:
                dates[name] = {"future_working_day": ahead, "upcoming_working_day": soon}.get(rule, today).isoformat()
            walk((inner or {}).get("items") if (inner or {}).get("type") == "array" else inner)
    walk(schema)
    return dates


@pytest.fixture
def staffed(container):
    """Two people in every casework role in each division the bundles run in, so every picker has choices."""
    with container.uow() as uow:
        divisions = {d.code: d for d in uow.divisions.all()}
        password = hash_password("correct-horse-battery")
        for code in sorted(set(BUNDLES.values())):
            for role in ROLES:
                for n in (1, 2):
                    user = uow.users.add(username=f"{code.lower()}.{role}{n}", display_name=f"{role} {n} {code}",
                                         email=f"{code.lower()}.{role}{n}@example.org", password_hash=password)
                    uow.users.add_membership(user.id, divisions[code].id, role)
        uow.commit()
    add_categories(container)
    return container


@pytest.mark.parametrize("bundle,task,form", USER_TASKS, ids=[f"{b}:{t}" for b, t, _ in USER_TASKS])
def test_the_task_form_drawn_and_filled_in_as_a_person_would_is_accepted(staffed, bundle, task, form):
    c = staffed
    division_code = BUNDLES[bundle]
    kind = "compliment" if bundle == "compliment" else "complaint"
    reference = start_case(c.uow(), c.runtime, division=division_code, kind=kind,
                           complainant={"name": "Pat Jones", "email": "pat@example.org"}, summary="A complaint",
                           actor=SYSTEM)
    definition = parse_bundle(bundle_from_directory(ROOT / bundle))
    task_spec = next(t for s in definition.all_specs() for t in s.task_specs.values() if t.bpmn_id == task)
    with c.uow() as uow:
        case = uow.cases.by_reference(reference)
        division = uow.divisions.get(case.division_id)
        schema = staffed_form(uow, case, division, effective_form(uow, definition, task_spec))
        ui = definition.ui_for(task_spec) or {}
        calendar = WorkingCalendar(division.nation, uow.closures.for_division(division.id))
        today = c.clock.now().astimezone(LONDON).date()
        context = DateContext(today, case.received_at.astimezone(LONDON).date() if case.received_at.tzinfo
                              else today, calendar)
        parser = _Inputs()
        parser.feed(str(render(schema, ui, {}, {})))
        files = {path: ([_file()] if many else _file()) for path, many in attachment_paths(schema, ui)}
        choice: dict[str, int] = {}
        problems = None
        for _ in range(8):  # a person whose answer is refused picks another option, as the errors ask
            data = parse(schema, ui, _fill(parser.controls, choice, _planned_dates(schema, today, calendar)), files)
            try:
                validate_task_data(uow, case, division, schema, data, context)
                problems = None
                break
            except InvalidInput as exc:
                problems = exc.fields
                for path in problems:
                    choice[path] = choice.get(path, 0) + 1
    assert problems is None, f"{form}: {problems}"


def _file() -> dict:
    return {"file_id": "0" * 32, "filename": "permission.pdf", "content_type": "application/pdf", "size": 10,
            "sha256": "0" * 64}
