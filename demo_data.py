"""Demo data for `complaints init --demo`: a user for every role in every division, and cases at every stage.

Cases are started with received dates in the past so that their timers have fired, and are then moved along
by completing their tasks with answers made up from each task's JSON Schema, so the demo follows whatever
diagrams are published.
"""
from __future__ import annotations

import logging
from datetime import date, timedelta

from demo_answers import COMPLIMENTS, ESCALATION_REASONS, PEOPLE, SUMMARIES, SUMMARIES_BY_DIVISION, text_for
from processes.access import ROLES, Actor
from processes.accounts import actor_for, hash_password, new_api_token
from processes.case_run import CaseRun
from processes.case_view import visible_case, waiting_messages
from processes.errors import DomainError
from processes.forms import rule_nodes
from processes.intake import issue_access_token, record_case
from processes.lifecycle import complete_task, deliver_message
from processes.read_models import plain
from processes.task_view import task_view

__all__ = ["PEOPLE", "SUMMARIES", "load_demo"]  # the log-privacy test checks the demo's people never reach a log

log = logging.getLogger(__name__)
DEMO_PASSWORD = "complaints-demo-2026"
SHORT = {"complaints_team": "team", "line_manager": "manager", "investigating_officer": "officer",
         "appeal_panel": "panel", "psrd_director": "director", "hr": "hr", "process_analyst": "analyst",
         "governance": "governance", "administrator": "admin"}
SECOND = {"investigating_officer": "officer2", "appeal_panel": "panel2", "line_manager": "manager2",
          "governance": "governance2"}  # a second governance user, so four eyes can be walked within a division
GROUP_WIDE = {"group.analyst": "process_analyst", "group.governance": "governance", "group.governance2": "governance"}
PREFERRED = {"eligible": True, "is_eligible": True, "in_time": True, "within_time_limit": True, "consent_needed": False,
             "needs_consent": False, "serious": False, "misconduct": False, "misconduct_concerns": False,
             "learning": False, "has_learning": False, "reopen": False, "about_service_delivery": True,
             "provider": "seetec", "subject_deceased": False, "too_serious_for_informal": False}
def demo_users() -> list[tuple[str, str, str, list[tuple[str, str]]]]:
    """(username, display name, email, [(division, role)]) for every demo account."""
    users = [("admin", "Group Administrator", "admin@seetec.example", [])]
    for code in ("IA", "EUK", "ST", "PL"):
        for role, short in SHORT.items():
            users.append((f"{code.lower()}.{short}", f"{code} {ROLES[role]}", f"{code.lower()}.{short}@seetec.example",
                          [(code, role)]))
        for role, short in SECOND.items():
            users.append((f"{code.lower()}.{short}", f"{code} {ROLES[role]} 2",
                          f"{code.lower()}.{short}@seetec.example", [(code, role)]))
    for username, role in GROUP_WIDE.items():  # group-wide: may act on every division's processes
        users.append((username, f"Group {ROLES[role]}{' 2' if username.endswith('2') else ''}",
                      f"{username}@seetec.example", [(code, role) for code in ("IA", "EUK", "ST", "PL")]))
    return users


def load_users(container) -> list[str]:
    """Create the demo accounts (once); returns the usernames created."""
    created = []
    with container.uow() as uow:
        divisions = {d.code: d for d in uow.divisions.all()}
        password_hash = hash_password(DEMO_PASSWORD)
        for username, name, email, memberships in demo_users():
            if uow.users.by_username(username) is not None:
                continue
            user = uow.users.add(username=username, display_name=name, email=email, password_hash=password_hash,
                                 is_active=True, is_group_wide=username == "admin" or username in GROUP_WIDE)
            pairs = memberships or [(code, "administrator") for code in divisions]
            for code, role in pairs:
                if code in divisions:
                    uow.users.add_membership(user.id, divisions[code].id, role)
            created.append(username)
        uow.commit()
    return created


def example_data(schema: dict, people: dict, variant: int, today: date) -> dict:
    """Answers that satisfy a task's JSON Schema, choosing uninvolved people for independence fields."""
    out = {}
    required = _required_anywhere(schema)
    for name, spec in (schema.get("properties") or {}).items():
        if name in people:
            free = [p["username"] for p in people[name] if not p["involved"]] or [p["username"] for p in people[name]]
            if free:
                out[name] = free[:max(2, spec.get("minItems", 1))] if spec.get("type") == "array" else free[0]
            continue
        value = _example(name, spec or {}, variant, today)
        if value is not None and (name in required or variant % 2 == 0):
            out[name] = value
    return out


def _required_anywhere(schema: dict) -> set[str]:
    """Fields required at the top or by any rule (`allOf`, `if`/`then`/`else`): answering them always is safe."""
    return {name for node in rule_nodes(schema) for name in node.get("required") or []}


def _example(name: str, spec: dict, variant: int, today: date):
    if spec.get("x-attachment") or spec.get("readOnly"):
        return None
    if "const" in spec:
        return spec["const"]
    if name in PREFERRED:
        return PREFERRED[name]
    if "default" in spec:
        return spec["default"]
    options = spec.get("enum") or [o["const"] for o in spec.get("oneOf", []) if isinstance(o, dict) and "const" in o]
    if options:
        return options[variant % len(options)] if name not in ("outcome",) else options[0]
    kind = spec.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "boolean":
        return PREFERRED.get(name, variant % 3 != 0)
    if kind in ("integer", "number"):
        return spec.get("minimum", 1)
    if kind == "object":
        inner = {k: _example(k, v or {}, variant, today) for k, v in (spec.get("properties") or {}).items()}
        return {k: v for k, v in inner.items() if v is not None}
    if kind == "array":
        item = _example(name, spec.get("items") or {}, variant, today)
        return [item] * max(1, spec.get("minItems", 1)) if item is not None else None
    fmt = spec.get("format")
    if fmt == "date":  # a planned day (a review, a promised reply) lies ahead, on a weekday
        if spec.get("x-date") in ("future_working_day", "upcoming_working_day"):
            ahead = today + timedelta(days=14)
            return (ahead + timedelta(days=max(0, 7 - ahead.weekday()) if ahead.weekday() >= 5 else 0)).isoformat()
        return today.isoformat()
    if fmt == "date-time":
        return "2026-01-05T10:00:00+00:00"
    if fmt == "email":
        return f"{name.removesuffix('_email').replace('_', '.')}@example.org"
    text = text_for(name, variant)
    return (text * (1 + spec.get("minLength", 0) // len(text)))[:spec.get("maxLength", 10_000)]


def drive(container, reference: str, steps: int, variant: int) -> None:
    """Move a case on by up to `steps` tasks or messages, as the people who hold each role."""
    for step in range(steps):
        with container.uow() as uow:
            case, division = visible_case(uow, reference, Actor("system"))
            tasks = uow.tasks.open_for_case(case.id)
            task = plain(tasks[0]) if tasks else None
            waiting = waiting_messages(CaseRun(container.runtime, uow, case, Actor("system"))) if not task else []
            # the process may give a task to someone other than its lane's first holder (an informal investigation
            # goes to the line manager allocated): whoever holds it completes it
            holder = uow.users.get(task.assignee_id) if task and task.assignee_id else None
            actor = actor_for(uow, holder) if holder else _actor_for(uow, division, task.role) if task else None
            closed = case.status == "closed"
        try:
            if task is not None and actor is not None:
                view = task_view(container.uow(), container.runtime, task.id, actor)
                complete_task(container.uow(), container.runtime, task.id,
                              example_data(view.schema, view.people, variant + step,
                                           container.clock.now().date()), actor)
            elif waiting and variant % 2 == 0 and not closed:
                message = next((m for m in ("escalation_requested", "appeal_requested") if m in waiting), waiting[0])
                deliver_message(container.uow(), container.runtime, reference, message,
                                {"reasons": ESCALATION_REASONS[variant % len(ESCALATION_REASONS)],
                                 "received_at": container.clock.now().isoformat(), "channel": "email",
                                 "recorded_by": "demo"})
            else:
                return
        except DomainError as exc:
            log.info("demo case %s stopped at step %s: %s", reference, step, exc)
            return


def _actor_for(uow, division, role: str | None):
    if not role:
        return None
    users = uow.users.holding_role(division.id, role)
    return actor_for(uow, users[0]) if users else None


STEPS = (0, 1, 2, 3, 5, 8, 12, 40, 4, 6, 20, 40)  # how far each case is moved: new, mid-stage, and closed


def load_cases(container, per_division: int = 12) -> list[str]:
    """Open cases in every division at a spread of received dates and move each to a different point."""
    references = []
    now = container.clock.now()
    for d_index, code in enumerate(("IA", "EUK", "ST", "PL")):
        with container.uow() as uow:
            team = uow.users.by_username(f"{code.lower()}.team")
            actor = actor_for(uow, team) if team else None
        if actor is None:
            continue
        for i in range(per_division):
            name, email = PEOPLE[(i * 5 + d_index * 3) % len(PEOPLE)]
            kind = "compliment" if i % 6 == 5 else "concern" if i % 6 == 4 else "complaint"
            said = COMPLIMENTS[i % len(COMPLIMENTS)] if kind == "compliment" else SUMMARIES_BY_DIVISION[code][i % 6]
            answers = {"summary": said, "name": name, "email": email,
                       "on_behalf": False, "needs_support": i % 4 == 0, "language": "Welsh" if i % 8 == 0 else "",
                       "formats": ["large_print"] if i % 4 == 0 else []}
            received = now - timedelta(days=2 + (i * 37 + d_index * 5) % 45, hours=i)
            try:
                reference = record_case(container.uow(), container.runtime, actor, code, kind,
                                        ("email", "phone", "post", "web")[i % 4], received, answers)
            except DomainError as exc:
                log.warning("demo case not started in %s: %s", code, exc)
                break
            links = container.runtime.status_links  # the same link the case's letters carry
            issue_access_token(container.uow(), reference, now, links.token(reference) if links else None)
            drive(container, reference, steps=STEPS[i % len(STEPS)], variant=i)
            references.append(reference)
    return references


def issue_demo_token(container, username: str) -> str:
    """A fresh API token for a demo user (printed so the API can be tried at once)."""
    with container.uow() as uow:
        user = uow.users.by_username(username)
        token, digest = new_api_token()
        user.api_token_hash = digest
        uow.commit()
    return token


DEMO_CATEGORIES = [("communication", "Communication", "theme"), ("appointments", "Appointments", "theme"),
                   ("staff_conduct", "Staff conduct", "theme"), ("accessibility", "Accessibility", "theme"),
                   ("process_not_followed", "Process not followed", "root_cause"),
                   ("training_need", "Training need", "root_cause")]


def load_categories(container) -> None:
    """A starting list of themes and root causes that administrators can change."""
    from processes.access import SYSTEM
    from processes.classification import add_category
    for code, label, kind in DEMO_CATEGORIES:
        add_category(container.reporting_uow(), code, label, kind, SYSTEM)


def load_demo(container) -> None:
    """Create demo users and cases (once) and print the sign-in details."""
    created = load_users(container)
    if created:
        load_categories(container)
    references = load_cases(container) if created else []
    if created:
        from demo_emails import load_emails
        load_emails(container)
    print(f"demo: {len(created)} users, {len(references)} cases")
    print(credentials_text())
    if created:
        print(f"API token for ia.team (shown once): {issue_demo_token(container, 'ia.team')}")


def credentials_text() -> str:
    """The demo sign-in details, as printed by `init --demo` and listed in docs/web.md."""
    lines = [f"Demo sign-in (every account's password: {DEMO_PASSWORD})",
             "  admin                 group-wide administrator (all divisions)"]
    for username, name, _, _memberships in demo_users()[1:]:
        lines.append(f"  {username:<21} {name}")
    return "\n".join(lines)
