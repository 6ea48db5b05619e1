"""The staff inbox: my tasks and tasks for my roles in my divisions, with claim, release and reassign."""
from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from processes.errors import InvalidInput
from processes.lifecycle import claim_task, release_task
from processes.read_models import INBOX_SORTS, MAX_SEARCH, SCOPES, InboxFilter, inbox_screen

from ..security import container, login_required

bp = Blueprint("inbox", __name__, template_folder="templates")


def filters_from(args) -> InboxFilter:
    """Inbox filters from query-string arguments, ignoring anything malformed."""
    def number(name, default=None):
        try:
            return max(1, int(args.get(name, "")))
        except ValueError:
            return default
    scope, sort = args.get("scope", "all"), args.get("sort", "due")
    return InboxFilter(division=args.get("division") or None, stage=args.get("stage") or None,
                       version_id=number("version"), overdue=args.get("overdue") == "1",
                       due_this_week=args.get("week") == "1", scope=scope if scope in SCOPES else "all",
                       page=number("page", 1), per_page=min(number("per_page", 25), 100),
                       sort=sort if sort in INBOX_SORTS else "due",
                       search=(args.get("q") or "").replace("\x00", "").strip()[:MAX_SEARCH] or None)


@bp.route("/inbox")
@login_required
def index():
    """List the signed-in user's tasks, soonest due first."""
    filters = filters_from(request.args)
    page, choices = inbox_screen(container().uow(), g.actor, filters, container().clock)
    unfiltered = InboxFilter(page=filters.page, sort=filters.sort)
    g.inbox_total = page.total if filters == unfiltered else g.get("inbox_total")
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("inbox/index.html", page=page, filters=filters, args=args, choices=choices,
                           scopes=SCOPES, sorts=INBOX_SORTS, links=_link_prefixes())


@bp.route("/inbox/actions", methods=["POST"])
@login_required
def act():
    """Claim or release the task whose button was pressed in the inbox list."""
    for action, view in (("claim", claim), ("release", release)):
        task_id = request.form.get(action, "")
        if task_id.isdigit():
            return view(int(task_id))
    raise InvalidInput("choose a task to claim or release", {"task": ["Choose a task to claim or release"]})


@bp.route("/inbox/tasks/<int:task_id>/claim", methods=["POST"])
@login_required
def claim(task_id: int):
    """Take a task so that no one else works on it."""
    claim_task(container().uow(), task_id, g.actor)
    flash("You have claimed the task.", "success")
    return redirect(_back())


@bp.route("/inbox/tasks/<int:task_id>/release", methods=["POST"])
@login_required
def release(task_id: int):
    """Give a claimed task back to everyone in its role."""
    release_task(container().uow(), task_id, g.actor)
    flash("You have released the task.", "success")
    return redirect(_back())


@bp.route("/inbox/tasks/<int:task_id>/reassign", methods=["POST"])
@login_required
def reassign(task_id: int):
    """Give a task to a named colleague (line managers and the complaints team)."""
    assignee = request.form.get("assignee", "").strip()
    claim_task(container().uow(), task_id, g.actor, assignee=assignee)
    flash(f"The task is now with {assignee}." if assignee else "The task is now unassigned.", "success")
    return redirect(_back())


def _link_prefixes() -> dict[str, str]:
    """Task and case URLs without their last segment, so a long list appends ids instead of routing each link."""
    return {"task": url_for("tasks.show", task_id=0).removesuffix("0"),
            "case": url_for("cases.show", reference="_").removesuffix("_")}


def _back() -> str:
    target = request.form.get("next") or ""
    parts = urlparse(target)
    if target.startswith("/") and not parts.scheme and not parts.netloc and not target.startswith("//"):
        return target
    return url_for("inbox.index")
