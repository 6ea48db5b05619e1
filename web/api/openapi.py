"""The OpenAPI document, generated from the marshmallow schemas with apispec."""
from __future__ import annotations

from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from processes.input_bounds import MAX_ID

from ..request_bounds import MAX_PLAIN_BODY
from . import schemas as s

ERRORS = {"400": "The request has errors (field errors under error.fields)", "401": "No valid API token",
          "403": "Not allowed for the caller's roles", "404": "Not found, or outside the caller's divisions",
          "409": "Conflict: someone else changed it first, or the case is not waiting for that",
          "413": f"The body is larger than {MAX_PLAIN_BODY // 1024 // 1024} MB"}
BODY_CODES = ("400", "401", "403", "404", "409", "413")


def _responses(ok: str, schema: str, codes=("400", "401", "403", "404", "409"), status: str = "200") -> dict:
    out = {status: {"description": ok, "content": {"application/json": {"schema": schema}}}}
    for code in codes:
        out[code] = {"description": ERRORS[code], "content": {"application/json": {"schema": "ErrorOut"}}}
    return out


def _body(schema: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


REFERENCE = {"in": "path", "name": "reference", "required": True, "schema": {"type": "string", "maxLength": 32}}
TASK_ID = {"in": "path", "name": "task_id", "required": True,
           "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}
VERSION_ID = {"in": "path", "name": "version_id", "required": True,
              "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}


@lru_cache(maxsize=1)
def document() -> dict:
    """The OpenAPI 3.0 document for /api/v1."""
    spec = APISpec(title="Seetec complaints API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Cases, tasks, messages and process versions. Every call needs "
                                        "`Authorization: Bearer <token>` and sees only the caller's divisions."},
                   servers=[{"url": "/api/v1"}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for schema in (s.CaseCreate, s.MessageIn, s.Claim, s.Complete, s.CaseOut, s.CaseSummaryOut, s.CasePageOut,
                   s.TaskOut, s.TaskDetailOut, s.TaskPageOut, s.CompletedOut, s.VersionOut, s.VersionListOut,
                   s.ErrorOut):
        spec.components.schema(schema.__name__, schema=schema)
    spec.path("/cases", operations={
        "get": {"summary": "List cases", "operationId": "listCases",
                "parameters": [{"in": "query", "schema": s.CaseQuery}],
                "responses": _responses("A page of cases", "CasePageOut", ("400", "401"))},
        "post": {"summary": "Record a case", "operationId": "createCase", "requestBody": _body("CaseCreate"),
                 "responses": _responses("The case", "CaseOut", BODY_CODES, "201")}})
    spec.path("/cases/{reference}", parameters=[REFERENCE], operations={
        "get": {"summary": "Get a case", "operationId": "getCase",
                "responses": _responses("The case", "CaseOut", ("401", "404"))}})
    spec.path("/cases/{reference}/messages", parameters=[REFERENCE], operations={
        "post": {"summary": "Deliver a message to a case", "operationId": "sendMessage",
                 "requestBody": _body("MessageIn"), "responses": _responses("The case", "CaseOut", BODY_CODES, "202")}})
    spec.path("/tasks", operations={
        "get": {"summary": "The caller's tasks", "operationId": "listTasks",
                "parameters": [{"in": "query", "schema": s.TaskQuery}],
                "responses": _responses("A page of tasks", "TaskPageOut", ("400", "401"))}})
    spec.path("/tasks/{task_id}", parameters=[TASK_ID], operations={
        "get": {"summary": "Get a task with its form", "operationId": "getTask",
                "responses": _responses("The task", "TaskDetailOut", ("401", "404"))}})
    for action, summary in (("claim", "Claim or reassign a task"), ("release", "Release a task")):
        operation = {"summary": summary, "operationId": f"{action}Task",
                     "responses": _responses("The task", "TaskDetailOut")}
        if action == "claim":
            operation["requestBody"] = {"required": False, "content": {"application/json": {"schema": "Claim"}}}
        spec.path(f"/tasks/{{task_id}}/{action}", parameters=[TASK_ID], operations={"post": operation})
    spec.path("/tasks/{task_id}/complete", parameters=[TASK_ID], operations={
        "post": {"summary": "Complete a task", "operationId": "completeTask", "requestBody": _body("Complete"),
                 "responses": _responses("The case after the task", "CompletedOut", BODY_CODES)}})
    spec.path("/process-versions", operations={
        "get": {"summary": "Process versions", "operationId": "listVersions",
                "responses": _responses("Versions", "VersionListOut", ("401",))}})
    spec.path("/process-versions/{version_id}", parameters=[VERSION_ID], operations={
        "get": {"summary": "One process version", "operationId": "getVersion",
                "responses": _responses("The version", "VersionOut", ("401", "404"))}})
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    document["paths"]["/openapi.json"] = {"get": {"summary": "This document", "operationId": "openapi",
                                                  "security": [], "responses": {"200": {"description": "OpenAPI"}}}}
    return document
