"""Marshmallow schemas of the JSON API; the OpenAPI document is generated from them."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from processes.input_bounds import (
    DATA_MAX_DEPTH,
    DATA_MAX_ITEMS,
    DATA_MAX_KEYS,
    DATA_MAX_TEXT,
    MAX_ID,
    MAX_PAGE,
    data_problems,
)
from processes.lifecycle import CHANNELS, KINDS
from processes.read_models import SCOPES

NAME = validate.Regexp(r"^[a-z][a-z0-9_]{0,79}$")
DATA_LIMITS = (f"at most {DATA_MAX_KEYS} keys an object, {DATA_MAX_ITEMS:,} values in all, {DATA_MAX_DEPTH} levels "
               f"deep and texts of {DATA_MAX_TEXT:,} characters")


class BoundedData(fields.Dict):
    """A JSON object of a stated size, measured before any key or value is looked at (50,000 keys cost seconds)."""

    def _deserialize(self, value, attr, data, **kwargs):
        problems = data_problems(value) if isinstance(value, dict) else []
        if problems:
            raise ValidationError(problems)
        return super()._deserialize(value, attr, data, **kwargs)


class ComplainantIn(Schema):
    name = fields.String(validate=validate.Length(max=200), load_default="")
    email = fields.Email(validate=validate.Length(max=254), load_default="")
    phone = fields.String(validate=validate.Length(max=60), load_default="")
    address = fields.String(validate=validate.Length(max=1000), load_default="")
    contact_preference = fields.String(validate=validate.OneOf(["email", "phone", "post"]), load_default="email")
    on_behalf_of = fields.String(validate=validate.Length(max=200), load_default="",
                                 metadata={"description": "name of the person the complaint is made for"})
    support_language = fields.String(validate=validate.Length(max=100), load_default="")
    support_other = fields.String(validate=validate.Length(max=2000), load_default="")


class CaseCreate(Schema):
    division = fields.String(required=True, validate=validate.Length(min=1, max=8))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    channel = fields.String(load_default="email", validate=validate.OneOf(CHANNELS))
    received_at = fields.AwareDateTime(required=True, metadata={"description": "when it really arrived (ISO 8601)"})
    summary = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    complainant = fields.Nested(ComplainantIn, load_default=dict)
    data = BoundedData(keys=fields.String(validate=NAME), load_default=dict,
                       metadata={"description": "extra facts for the diagram, by lower_snake_case name; "
                                                f"{DATA_LIMITS}"})


class CaseQuery(Schema):
    class Meta:
        unknown = EXCLUDE
    division = fields.String(validate=validate.Length(max=8))
    status = fields.String(validate=validate.OneOf(["open", "closed"]))
    stage = fields.String(validate=validate.Length(max=40))
    kind = fields.String(validate=validate.OneOf(KINDS))
    received_from = fields.Date()
    received_to = fields.Date()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class TaskQuery(Schema):
    class Meta:
        unknown = EXCLUDE
    division = fields.String(validate=validate.Length(max=8))
    stage = fields.String(validate=validate.Length(max=40))
    version_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    overdue = fields.Boolean(load_default=False)
    due_this_week = fields.Boolean(load_default=False)
    scope = fields.String(load_default="all", validate=validate.OneOf(SCOPES))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class Claim(Schema):
    assignee = fields.String(allow_none=True, validate=validate.Length(max=80),
                             metadata={"description": "give the task to this username (managers); empty to unassign"})


class Complete(Schema):
    data = BoundedData(required=True, metadata={
        "description": f"form answers, checked against the task's JSON Schema; {DATA_LIMITS}"})


class MessageIn(Schema):
    message = fields.String(required=True, validate=NAME,
                            metadata={"description": "escalation_requested, appeal_requested, withdrawn, "
                                                     "consent_received, ..."})
    reasons = fields.String(load_default="", validate=validate.Length(max=10000))
    received_at = fields.AwareDateTime(required=True)
    channel = fields.String(load_default="email", validate=validate.OneOf(CHANNELS))


class VersionOut(Schema):
    id = fields.Integer()
    process_key = fields.String()
    number = fields.Integer()
    title = fields.String()
    state = fields.String()
    sha256 = fields.String()
    change_note = fields.String()
    created_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)


class DeadlineOut(Schema):
    name = fields.String()
    kind = fields.String()
    stage = fields.String()
    due_at = fields.DateTime()
    status = fields.String()
    why = fields.String()
    overdue = fields.Boolean()


class TaskOut(Schema):
    id = fields.Integer()
    title = fields.String()
    stage = fields.String()
    role = fields.String(allow_none=True)
    case_reference = fields.String()
    division = fields.String()
    due_at = fields.DateTime(allow_none=True)
    overdue = fields.Boolean()
    working_days_left = fields.Integer(allow_none=True)
    assignee = fields.String(allow_none=True)
    process_key = fields.String()
    version_number = fields.Integer()


class TaskDetailOut(TaskOut):
    state = fields.String()
    form = fields.Dict(metadata={"description": "the task's JSON Schema"})
    ui = fields.Dict()
    draft = fields.Dict()


class CaseSummaryOut(Schema):
    reference = fields.String()
    division = fields.String()
    kind = fields.String()
    channel = fields.String()
    stage = fields.String()
    status = fields.String()
    outcome = fields.String(allow_none=True)
    received_at = fields.DateTime()
    summary = fields.String()


class OpenTaskOut(Schema):
    id = fields.Integer()
    title = fields.String()
    role = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)


class CaseOut(CaseSummaryOut):
    closed_at = fields.DateTime(allow_none=True)
    process_key = fields.String()
    version_number = fields.Integer()
    sha256 = fields.String()
    deadlines = fields.List(fields.Nested(DeadlineOut))
    open_tasks = fields.List(fields.Nested(OpenTaskOut))
    waiting_messages = fields.List(fields.String())


class CompletedOut(Schema):
    reference = fields.String()
    status = fields.String()
    stage = fields.String()
    outcome = fields.String(allow_none=True)
    open_tasks = fields.List(fields.Nested(OpenTaskOut))


def page_of(item_schema):
    """A page envelope schema for a list of `item_schema`."""
    return type(f"{item_schema.__name__.replace('Out', '')}PageOut", (Schema,), {
        "items": fields.List(fields.Nested(item_schema)), "total": fields.Integer(), "page": fields.Integer(),
        "per_page": fields.Integer(), "capped": fields.Boolean()})


CasePageOut = page_of(CaseSummaryOut)
TaskPageOut = page_of(TaskOut)


class VersionListOut(Schema):
    items = fields.List(fields.Nested(VersionOut))


class ErrorBody(Schema):
    code = fields.String(required=True, metadata={"description": "stable: validation_error, unauthorized, forbidden, "
                                                                 "not_found, conflict, ..."})
    message = fields.String(required=True)
    fields = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ErrorOut(Schema):
    error = fields.Nested(ErrorBody, required=True)
