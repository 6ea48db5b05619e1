"""The main navigation: each entry shows only when its page exists and the actor holds one of its roles."""
from __future__ import annotations

from flask import current_app, g, url_for

STAFF = ("complaints_team", "line_manager", "investigating_officer", "appeal_panel", "psrd_director", "hr")
NAV = [
    ("Inbox", "inbox.index", STAFF),
    ("Emails", "mail.queue", ("complaints_team",)),
    ("Cases", "cases.index", STAFF + ("governance",)),
    ("Record a case", "intake.staff_new", STAFF),
    ("Learning", "reports.learning", STAFF + ("governance",)),
    ("Reports", "reports.index", STAFF + ("governance",)),
    ("Modeler", "modeler.index", ("process_analyst",)),
    ("Governance", "governance.index", ("governance", "process_analyst")),
    ("Administration", "admin.users", ("administrator",)),
]


def nav_items() -> list[dict]:
    actor = g.get("actor")
    if actor is None:
        return []
    return [{"label": label, "url": url_for(endpoint)} for label, endpoint, roles in NAV
            if endpoint in current_app.view_functions and actor.has_any_role(*roles)]


def register_navigation(app) -> None:
    app.context_processor(lambda: {"nav_items": nav_items()})
