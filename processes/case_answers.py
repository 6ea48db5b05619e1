"""The answers a case's triage form was completed with, as questions and answers a person can read."""
from __future__ import annotations

from datetime import date

from SpiffWorkflow.util.task import TaskState

from . import engine

TRIAGE_FORM = "triage.json"  # every shipped bundle names its triage form this way


def triage_answers(run, tasks: list[dict]) -> list[tuple[str, str]]:
    """(question, answer) pairs of the completed triage task, in the form's order; empty until it is completed."""
    if not run.has_workflow:
        return []
    specs = {spec.bpmn_id: spec for process in run.definition.all_specs() for spec in process.task_specs.values()
             if getattr(spec, "bpmn_id", None) and _form_name(spec).endswith(TRIAGE_FORM)}
    if not any(t["state"] == "completed" and t.get("spec_name") in specs for t in tasks):
        return []
    schema = run.definition.form_for(next(iter(specs.values()))) or {}
    data = case_data(run.workflow)
    answers = []
    for name, spec in (schema.get("properties") or {}).items():
        shown = readable(data.get(name), spec or {})
        if shown:
            answers.append((spec.get("title") or name.replace("_", " ").capitalize(), shown))
    return answers


PUBLIC_FACTS = (("happened_on", "When it happened", {"format": "date"}), ("aware_on", "When they knew of it",
                {"format": "date"}), ("outcome_wanted", "What they would like to happen", {}),
                ("about", "Who or which team it is about", {}))


def told_us(run, kind: str) -> list[tuple[str, str]]:
    """What the person said on the form beyond their words: dates, the outcome wanted, a compliment's permission."""
    if not run.has_workflow:
        return []
    data = case_data(run.workflow)
    facts = [(label, readable(data.get(name), spec)) for name, label, spec in PUBLIC_FACTS]
    if kind == "compliment" and "may_share" in data:
        facts.append(("May we share it, without their name?", readable(bool(data["may_share"]), {})))
    if kind == "compliment" and data.get("permission_evidence"):  # recorded from the form or by the team
        on = readable(data.get("permission_recorded_on"), {"format": "date"})
        facts.append(("Permission to use it publicly", f"{readable(bool(data.get('permission_given')), {})}: "
                      f"{data['permission_evidence']}" + (f" ({on})" if on else "")))
    return [(label, value) for label, value in facts if value]


def case_data(workflow) -> dict:
    """The case's data as its latest steps left it (completed subprocesses have passed theirs up)."""
    if workflow.is_completed() and workflow.data:
        return dict(workflow.data)
    done = sorted(engine.all_tasks(workflow, TaskState.COMPLETED), key=lambda t: t.last_state_change)
    merged: dict = {}
    for task in done:
        merged.update(task.data)
    return merged


def readable(value, spec: dict) -> str:
    """A stored answer in words: Yes/No, a choice's title, a date written out, a list joined."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(filter(None, (readable(v, spec.get("items") or {}) for v in value)))
    if isinstance(value, dict):
        return ""  # nested rows are shown on their task, not in the summary
    titles = {o.get("const"): o.get("title") for o in spec.get("oneOf") or [] if isinstance(o, dict)}
    titles.update(zip(spec.get("enum") or [], spec.get("enumNames") or [], strict=False))
    if value in titles and titles[value]:
        return str(titles[value])
    if spec.get("format") == "date":
        try:
            day = date.fromisoformat(str(value))
            return f"{day.day} {day:%B %Y}"
        except ValueError:
            pass
    return str(value)


def _form_name(spec) -> str:
    return engine.task_properties(spec).get("formJsonSchemaFilename") or ""
