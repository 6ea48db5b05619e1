"""Who may be given casework: the one rule for every form field, reassignment and claim that names staff.

A person may be named when their account is active, they work in the case's division and they hold the role
the work needs. Fields marked `x-independent` (and the tasks of the independent roles) also refuse anyone who
took part earlier in the case, except in the very capacity the independent allocation records.

A form field names staff when its schema says `"x-staff-role": "<role>"` (a role key, a list of them, or
`"casework"` for anyone who works case tasks). Forms without the keyword (versions saved before it existed,
analysts' own forms) are read by the older conventions: an `x-independent` field's role comes from its name,
a field named after a role is that role, and a repeating row's `owner` is any casework role.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

from .access import ROLES
from .errors import InvalidInput
from .form_dates import DateContext, date_problems
from .forms import INDEPENDENT, validate_form
from .vocabulary import TASK_ROLES, Role, Stage

STAFF_ROLE = "x-staff-role"
CASEWORK = "casework"
ROLE_HINTS = (("investigat", Role.INVESTIGATING_OFFICER), ("panel", Role.APPEAL_PANEL), ("manager", Role.LINE_MANAGER),
              ("hr", Role.HR), ("director", Role.PSRD_DIRECTOR))
# the capacities an independent allocation records (`named_capacity` of the shipped forms' fields): holding
# one of these for the task's role is the allocation itself, not an earlier involvement
NAMED_CAPACITIES = {Role.INVESTIGATING_OFFICER: frozenset({"investigating officer"}),
                    Role.APPEAL_PANEL: frozenset({"panel", "panel members"})}


@dataclass(frozen=True)
class StaffField:
    """A form field that names staff: where it is, which roles it needs, one person or several."""

    name: str
    roles: tuple[str, ...]
    many: bool
    independent: bool
    rows: str | None = None  # the repeating list the field sits in (e.g. 'actions'), None at the top

    def paths(self, data: dict) -> list[tuple[str, object]]:
        """(error path, submitted value) of every occurrence of the field in submitted data."""
        if self.rows is None:
            return [(self.name, data.get(self.name))] if self.name in data else []
        rows = data.get(self.rows)
        if not isinstance(rows, list):
            return []
        return [(f"{self.rows}.{i}.{self.name}", row.get(self.name)) for i, row in enumerate(rows)
                if isinstance(row, dict) and self.name in row]


@dataclass(frozen=True)
class Candidate:
    """A member of staff who could be named, with the capacities in which they took part in the case."""

    username: str
    name: str
    involved: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.name} ({self.username})"


def named_capacity(field_name: str) -> str:
    """The involvement an independent field records for the people named in it, e.g. 'investigating officer'."""
    return field_name.replace("_", " ")


def staff_fields(schema: dict | None) -> list[StaffField]:
    """Every field of a form that names staff, at the top level or inside repeating rows."""
    found = []
    for name, spec in ((schema or {}).get("properties") or {}).items():
        spec = spec or {}
        field = _staff_field(name, spec, None)
        if field is not None:
            found.append(field)
        elif spec.get("type") == "array" and (spec.get("items") or {}).get("type") == "object":
            for inner, inner_spec in ((spec["items"].get("properties")) or {}).items():
                field = _staff_field(inner, inner_spec or {}, name)
                if field is not None:
                    found.append(field)
    return found


def _staff_field(name: str, spec: dict, rows: str | None) -> StaffField | None:
    many = spec.get("type") == "array"
    target = (spec.get("items") or {}) if many else spec
    if target.get("type") != "string":
        return None
    independent = bool(spec.get(INDEPENDENT))
    declared = spec.get(STAFF_ROLE, target.get(STAFF_ROLE))
    if declared is not None:
        roles = _roles(declared)
    elif independent:
        roles = _roles(next((role for key, role in ROLE_HINTS if key in name.lower()), CASEWORK))
    elif name in TASK_ROLES:
        roles = (name,)
    elif rows is not None and name == "owner":
        roles = _roles(CASEWORK)
    else:
        return None
    return StaffField(name, roles, many, independent, rows)


def _roles(declared) -> tuple[str, ...]:
    values = [declared] if isinstance(declared, str) else list(declared or [])
    roles: list[str] = []
    for value in values:
        for role in (TASK_ROLES if value == CASEWORK else (value,)):
            if isinstance(role, str) and role not in roles:
                roles.append(role)
    return tuple(roles)


@dataclass(frozen=True)
class TaskNeeds:
    """Who may hold a task: the roles that qualify, and whether they must be independent of the case so far."""

    roles: tuple[str, ...]
    independent: bool = False
    named: frozenset[str] = frozenset()


def task_needs(role: str | None, stage: str | None = None) -> TaskNeeds:
    """What holding a task needs: its lane's role (any casework role when the lane names none). An informal
    investigation is a line manager's (group policy 3.1.4); investigating officers' and panel members' work at
    the later stages must be independent (3.1.5, 3.1.6)."""
    if not role:
        return TaskNeeds(tuple(TASK_ROLES))
    if role == Role.INVESTIGATING_OFFICER and (stage or "").lower() == Stage.INFORMAL:
        return TaskNeeds((role, Role.LINE_MANAGER))
    if role in NAMED_CAPACITIES:
        return TaskNeeds((role,), True, NAMED_CAPACITIES[role])
    return TaskNeeds((role,))


def eligible_staff(uow, division, roles: tuple[str, ...], case=None, *, independent: bool = False,
                   named: frozenset[str] = frozenset()) -> list[Candidate]:
    """Active staff of the division holding one of `roles`; when `independent`, not those involved in the case
    earlier (other than in a `named` capacity)."""
    return [c for c in candidates(uow, division, roles, case) if not (independent and _earlier(c.involved, named))]


def candidates(uow, division, roles: tuple[str, ...], case=None) -> list[Candidate]:
    """Active staff of the division holding one of `roles`, each with their involvement in the case."""
    seen: dict[int, object] = {}
    for role in roles:
        for user in uow.users.holding_role(division.id, role):
            seen.setdefault(user.id, user)
    people = sorted(seen.values(), key=lambda u: (u.display_name, u.username))
    return [Candidate(u.username, u.display_name,
                      tuple(sorted(uow.involvements.capacities(case.id, u.id))) if case is not None else ())
            for u in people]


def refusal(uow, division, roles: tuple[str, ...], case, username: str, *, independent: bool = False,
            named: frozenset[str] = frozenset()) -> str | None:
    """Why `username` cannot be given this work, in words a person can act on; None when they can."""
    user = uow.users.by_username(username) if isinstance(username, str) and 0 < len(username) <= 80 else None
    if user is None:
        return f"there is no member of staff with the username {str(username)[:80]!r}"
    if not user.is_active:
        return f"{user.display_name}'s account is disabled"
    held = {role for code, role in uow.users.memberships(user.id) if code == division.code}
    if not held:
        return f"{user.display_name} does not work in {division.name}"
    if not held & set(roles):
        return f"{user.display_name} is not {_role_words(roles)} in {division.name}"
    if independent and case is not None:
        earlier = _earlier(tuple(sorted(uow.involvements.capacities(case.id, user.id))), named)
        if earlier:
            return (f"{user.display_name} took part earlier in this case ({', '.join(earlier)}) and cannot be "
                    "chosen; choose someone not previously involved")
    return None


def _earlier(involved: tuple[str, ...], named: frozenset[str]) -> list[str]:
    """The involvements that break independence: none for the person the allocation named (their own work
    since counts as theirs), every one for anybody else."""
    return [] if named & set(involved) else list(involved)


def _role_words(roles: tuple[str, ...]) -> str:
    if set(roles) == set(TASK_ROLES):
        return "in a casework role"
    labels = [ROLES.get(r, r.replace("_", " ")).lower() for r in roles]
    if len(labels) > 2:
        return "in any of the roles " + ", ".join(labels)
    words = " or ".join(labels)
    return ("an " if words[:1] in "aeiou" else "a ") + words


def staffed_form(uow, case, division, schema: dict | None) -> dict:
    """The task's form with the people who may be named offered as the only choices of each staff field.

    Both the page that shows the form and the code that reads it back use this schema."""
    fields = staff_fields(schema)
    if not fields:
        return schema or {}
    schema = copy.deepcopy(schema)
    for field in fields:
        spec = schema["properties"][field.name] if field.rows is None else \
            schema["properties"][field.rows]["items"]["properties"][field.name]
        target = spec["items"] if field.many else spec
        everyone = candidates(uow, division, field.roles, case)
        people = [c for c in everyone if not (field.independent and _earlier(c.involved, frozenset()))]
        for keyword in ("oneOf", "anyOf", "minLength", "maxLength"):
            target.pop(keyword, None)
        target["enum"] = [p.username for p in people]
        target["enumNames"] = [p.label for p in people]
        notes = [spec.get("description") or ""]
        left_out = [c for c in everyone if c not in people]
        if left_out:
            notes.append("Not offered, because they took part earlier in this case: " + "; ".join(
                f"{c.name} ({', '.join(c.involved)})" for c in left_out) + ".")
        if not people:  # nothing to choose: shown as a plain value, never as a box to type a name into
            spec["readOnly"] = True
            notes.append(f"No one in {division.name} can be chosen: ask an administrator to give the role "
                         f"({', '.join(ROLES.get(r, r) for r in field.roles)}) to someone.")
        description = " ".join(n for n in notes if n)
        if description:
            spec["description"] = description
    return schema


def staff_problems(uow, case, division, schema: dict | None, data: dict) -> dict[str, list[str]]:
    """Field path -> why each person named in submitted data cannot be given the work."""
    problems: dict[str, list[str]] = {}
    for field in staff_fields(schema):
        for path, value in field.paths(data):
            names = value if field.many and isinstance(value, list) else [value] if not field.many else []
            for username in names:
                if username in (None, ""):
                    continue
                reason = refusal(uow, division, field.roles, case, username, independent=field.independent)
                if reason:
                    problems.setdefault(path, []).append(reason)
    return problems


def validate_task_data(uow, case, division, schema: dict | None, data: dict,
                       dates: DateContext | None = None) -> None:
    """Validate a task's submitted data against its staffed form, all problems at once; a staff field's error
    says why the person named cannot be given the work, a date's why the day cannot be taken."""
    fields: dict[str, list[str]] = {}
    try:
        validate_form(schema, data, case_reference=case.reference)
    except InvalidInput as exc:
        fields = dict(exc.fields)
    if isinstance(data, dict):
        fields.update(staff_problems(uow, case, division, schema, data))
        if dates is not None:
            for path, messages in date_problems(schema, data, dates).items():
                fields.setdefault(path, messages)
    if fields:
        raise InvalidInput("the form has errors", fields, case_reference=case.reference)


def named_people(schema: dict | None, data: dict) -> list[tuple[str, str]]:
    """(username, capacity) of everyone named in an independent field of submitted data."""
    out = []
    for field in staff_fields(schema):
        if not field.independent:
            continue
        for _, value in field.paths(data):
            for username in (value if isinstance(value, list) else [value]):
                if isinstance(username, str) and username:
                    out.append((username, named_capacity(field.name)))
    return out


def assignment_refusal(uow, case, division, task, username: str) -> str | None:
    """Why a task cannot be given to `username` (reassignment and API claim); None when it can."""
    needs = task_needs(task.role, task.stage)
    return refusal(uow, division, needs.roles, case, username, independent=needs.independent, named=needs.named)


def assignable_staff(uow, case, division, task) -> list[Candidate]:
    """The people a task may be given to: exactly those `assignment_refusal` accepts."""
    needs = task_needs(task.role, task.stage)
    return eligible_staff(uow, division, needs.roles, case, independent=needs.independent, named=needs.named)


def self_claim_refusal(uow, case, task, user_id: int | None) -> str | None:
    """Why someone may not take independent work for themselves (they took part earlier); None when they may."""
    needs = task_needs(task.role, task.stage)
    if not needs.independent or user_id is None:
        return None
    earlier = _earlier(tuple(sorted(uow.involvements.capacities(case.id, user_id))), needs.named)
    if earlier:
        return (f"you took part earlier in this case ({', '.join(earlier)}), so you cannot take work that must be "
                "independent; ask a manager to give it to someone not previously involved")
    return None
