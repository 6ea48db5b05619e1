"""API endpoints: cases, tasks, messages and process versions, each limited to the caller's divisions."""
from __future__ import annotations

from flask import g, jsonify, request

from processes.api_reads import api_case, api_task, api_versions, case_out
from processes.intake import record_case, record_message
from processes.lifecycle import claim_task, complete_task, release_task
from processes.read_models import CaseFilter, InboxFilter, case_list, inbox

from ..security import container
from . import bp, error
from . import schemas as s
from .openapi import document


def _body(schema):
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return None
    return schema().load(data)


def _bad_json():
    return error(400, "validation_error", "the body must be a JSON object", {"": ["expected a JSON object"]})


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 document of this API."""
    return jsonify(document())


@bp.get("/cases")
def list_cases():
    """Cases in the caller's divisions, newest received first."""
    q = s.CaseQuery().load(request.args.to_dict())
    page = case_list(container().uow(), g.actor, CaseFilter(**q))
    items = [{"reference": r.reference, "division": r.division, "kind": r.kind, "channel": r.channel,
              "stage": r.stage, "status": r.status, "outcome": r.outcome, "received_at": r.received_at,
              "summary": r.summary} for r in page.rows]
    return s.CasePageOut().dump({"items": items, "total": page.total, "page": page.page, "per_page": page.per_page,
                                 "capped": page.capped})


@bp.post("/cases")
def create_case():
    """Record a case with its true received date; it starts on the division's published process."""
    body = _body(s.CaseCreate)
    if body is None:
        return _bad_json()
    person = {field: "" for field in s.ComplainantIn().fields} | body["complainant"]
    answers = {"summary": body["summary"], "name": person["name"], "email": person["email"],
               "phone": person["phone"], "address": person["address"],
               "contact_preference": person["contact_preference"] or "email",
               "on_behalf": bool(person["on_behalf_of"]), "behalf_name": person["on_behalf_of"],
               "needs_support": bool(person["support_language"] or person["support_other"]),
               "language": person["support_language"], "other_support": person["support_other"]}
    case = record_case(container().uow(), container().runtime, g.actor, body["division"], body["kind"],
                       body["channel"], body["received_at"], answers, body["data"], describe=case_out)
    return s.CaseOut().dump(case), 201


@bp.get("/cases/<reference>")
def get_case(reference: str):
    """One case with its deadlines, open tasks and the messages it waits for."""
    return s.CaseOut().dump(api_case(container().uow(), container().runtime, reference, g.actor))


@bp.post("/cases/<reference>/messages")
def send_message(reference: str):
    """Deliver a message (escalation request, appeal request, withdrawal, consent) to a case waiting for it."""
    body = _body(s.MessageIn)
    if body is None:
        return _bad_json()
    record_message(container().uow(), container().runtime, g.actor, reference, body["message"], body["reasons"],
                   body["received_at"], body["channel"])
    return s.CaseOut().dump(api_case(container().uow(), container().runtime, reference, g.actor)), 202


@bp.get("/tasks")
def list_tasks():
    """The caller's inbox: their tasks and open tasks for their roles, soonest due first."""
    q = s.TaskQuery().load(request.args.to_dict())
    page = inbox(container().uow(), g.actor, InboxFilter(**q), container().clock)
    items = [{**row.__dict__, "id": row.task_id} for row in page.rows]
    return s.TaskPageOut().dump({"items": items, "total": page.total, "page": page.page, "per_page": page.per_page,
                                 "capped": page.capped})


@bp.get("/tasks/<int:task_id>")
def get_task(task_id: int):
    """One task with its form's JSON Schema and any saved draft."""
    return s.TaskDetailOut().dump(api_task(container().uow(), container().runtime, task_id, g.actor))


@bp.post("/tasks/<int:task_id>/claim")
def claim(task_id: int):
    """Claim a task, or (managers) give it to someone by username."""
    body = _body(s.Claim) if request.get_data() else {}
    if body is None:
        return _bad_json()
    assignee = {"assignee": body["assignee"] or ""} if "assignee" in body else {}
    claim_task(container().uow(), task_id, g.actor, **assignee)
    return s.TaskDetailOut().dump(api_task(container().uow(), container().runtime, task_id, g.actor))


@bp.post("/tasks/<int:task_id>/release")
def release(task_id: int):
    """Give a claimed task back to its role."""
    release_task(container().uow(), task_id, g.actor)
    return s.TaskDetailOut().dump(api_task(container().uow(), container().runtime, task_id, g.actor))


@bp.post("/tasks/<int:task_id>/complete")
def complete(task_id: int):
    """Complete a task with form data; a second completion of the same task gets 409."""
    body = _body(s.Complete)
    if body is None:
        return _bad_json()
    completion = complete_task(container().uow(), container().runtime, task_id, body["data"], g.actor)
    return s.CompletedOut().dump(completion)


@bp.get("/process-versions")
def versions():
    """Process versions of the processes the caller's divisions use."""
    return s.VersionListOut().dump({"items": api_versions(container().uow(), g.actor)})


@bp.get("/process-versions/<int:version_id>")
def version(version_id: int):
    """One process version."""
    found = [v for v in api_versions(container().uow(), g.actor) if v.id == version_id]
    if not found:
        return error(404, "not_found", f"no process version {version_id}")
    return s.VersionOut().dump(found[0])
