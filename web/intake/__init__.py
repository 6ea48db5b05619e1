"""Public pages (no sign-in): complaint and compliment forms per division and the private status link;
and staff intake of cases received by phone, post or email."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for

from processes.anonymous import record_anonymous_complaint
from processes.calendar import received_instant
from processes.errors import Conflict, InvalidInput, NotFound
from processes.intake import (
    STAFF_CHANNELS,
    complaint_problems,
    compliment_problems,
    public_request,
    record_case,
    record_problems,
    submit_public,
    time_limit_warning,
)
from processes.late_requests import RequestOutOfTime
from processes.public_status import promised_days, public_status
from processes.vocabulary import TASK_ROLES

from ..extensions import limiter
from ..security import container, roles_required
from .answers import COMPLIMENT_FIELDS, FIELDS, FORMAT_LABELS, STEPS, problems_on_step, raw_answers, step_of, typed

bp = Blueprint("intake", __name__, template_folder="templates")


def _division(code: str):
    with container().uow() as uow:
        found = uow.divisions.by_code(code.upper())
        if found is None:
            abort(404)
        return {"code": found.code, "name": found.name, "config": dict(found.config)}


@bp.route("/public")
def index():
    """List the divisions with their complaint and compliment forms."""
    with container().uow() as uow:
        divisions = [{"code": d.code, "name": d.name, "config": dict(d.config)} for d in uow.divisions.all()]
    return render_template("intake/index.html", divisions=divisions)


@bp.route("/public/<code>/complaint", methods=["GET", "POST"])
@limiter.limit("60 per minute", methods=["POST"])
def complaint(code: str):
    """Take a complaint one step at a time, then check the answers and submit."""
    division = _division(code)
    if request.method == "GET":
        return _step(division, "about", raw_answers(_Empty()), {})
    raw = raw_answers(request.form)
    step = request.form.get("step", "about")
    if request.form.get("goto") in [s for s, _, _ in STEPS]:
        return _step(division, request.form["goto"], raw, {})
    problems = complaint_problems(typed(raw), container().clock.now().date())
    if step != "check":
        found = problems_on_step(problems, step)
        if found:
            return _step(division, step, raw, found, 400)
        return _step(division, STEPS[step_of(step) + 1][0], raw, {})
    if problems:
        first = next(s for s, _, fields in STEPS if any(f in problems for f in fields))
        return _step(division, first, raw, problems_on_step(problems, first), 400)
    if typed(raw).get("give_name") is False:
        return _anonymous(division, typed(raw))
    return _submit(division, "complaint", typed(raw))


@bp.route("/public/<code>/compliment", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def compliment(code: str):
    """Take a compliment on one short page."""
    division = _division(code)
    raw = raw_answers(request.form if request.method == "POST" else _Empty(), COMPLIMENT_FIELDS)
    if request.method == "POST":
        answers = typed(raw)
        problems = compliment_problems(answers)
        if not problems:
            return _submit(division, "compliment", answers)
        return render_template("intake/compliment.html", division=division, raw=raw, errors=problems), 400
    return render_template("intake/compliment.html", division=division, raw=raw, errors={})


@bp.route("/public/submitted")
def submitted():
    """Show the reference number and the private status link, once."""
    done = session.pop("submitted", None)
    if not done:
        return redirect(url_for("intake.index"))
    return render_template("intake/submitted.html", done=done)


@bp.route("/public/anonymous")
def anonymous_recorded():
    """Show an anonymous complaint's record number and where to go instead, once."""
    record = session.pop("anonymous", None)
    if not record:
        return redirect(url_for("intake.index"))
    return render_template("intake/anonymous.html", record=record, division={"code": record["code"]})


@bp.route("/public/status/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute")
def status(token: str):
    """Show a complainant where their case stands, and let them ask for what applies to it now."""
    c = container()
    errors, notice, form = {}, None, request.form
    if request.method == "POST":
        try:
            sent = public_request(c.uow(), c.runtime, token, form.get("message", ""), form.get("reasons", ""),
                                  form.get("confirm", ""))
            flash("Thank you. We have received your request and will write to you." if sent else
                  "Your complaint has not been withdrawn. It stays open.", "success")
            return redirect(url_for("intake.status", token=token))
        except InvalidInput as exc:
            errors = exc.fields
        except RequestOutOfTime as exc:
            flash(f"{exc.late.sentence()}.", "warning")
            return redirect(url_for("intake.status", token=token))
        except Conflict:
            notice = "We could not take this request at this stage of your complaint. Please contact us instead."
    view = public_status(c.uow(), c.runtime, token)
    response = render_template("intake/status.html", view=view, errors=errors, notice=notice, form=form)
    return response, 400 if errors else 409 if notice else 200


@bp.route("/cases/new", methods=["GET", "POST"])
@roles_required(*TASK_ROLES)
def staff_new():
    """Record a complaint, compliment or concern received by phone, post or email."""
    divisions = sorted(code for code in g.actor.divisions if any(g.actor.has_role(code, r) for r in TASK_ROLES))
    form = request.form
    errors = {}
    if request.method == "POST":
        answers = typed(raw_answers(form, FIELDS + ["about"]))
        answers["on_behalf"] = bool(answers.get("on_behalf"))  # staff forms default to "not on behalf"
        received_at, time_error = _received(form)
        try:
            if form.get("division") not in divisions or time_error:  # every other problem is reported with it
                errors = record_problems(container().clock.now(), form.get("kind", ""), form.get("channel", ""),
                                         received_at, answers)
                if form.get("division") not in divisions:
                    errors["division"] = ["Choose one of your divisions"]
                if time_error:
                    errors.pop("received_at", None)
                    errors["received_time"] = [time_error]
                raise InvalidInput("the form has errors", errors)
            reference = record_case(container().uow(), container().runtime, g.actor, form["division"],
                                    form.get("kind", ""), form.get("channel", ""), received_at, answers)
            flash(f"Recorded as {reference}.", "success")
            return redirect(url_for("cases.show", reference=reference))
        except InvalidInput as exc:  # the received instant is typed here as a date and a time
            errors = {("received_on" if k == "received_at" else k): v for k, v in exc.fields.items()}
        except NotFound as exc:
            errors = {"division": [exc.message]}
    with container().uow() as uow:
        names = {d.code: d.name for d in uow.divisions.all()}
    return render_template("intake/staff_new.html", division_options=[(c, names.get(c, c)) for c in divisions],
                           form=form, errors=errors,
                           channels=STAFF_CHANNELS, formats=FORMAT_LABELS), 400 if errors else 200


def _received(form) -> tuple[datetime | None, str | None]:
    """The true received instant from a date and an optional time, London time (today means now), and what is
    wrong with the time when one is typed that is not a real time of day."""
    hhmm = (form.get("received_time") or "").strip()
    try:
        typed_time = datetime.strptime(hhmm, "%H:%M").time() if hhmm else None
    except ValueError:
        return None, f"Enter a real time of day, like 14:30 (‘{hhmm[:10]}’ is not one)"
    try:
        day = datetime.strptime(form.get("received_on", ""), "%Y-%m-%d").date()
    except ValueError:
        return None, None  # the domain says the date received is needed
    return received_instant(day, typed_time, container().clock.now()), None


def _step(division, step: str, raw: dict, errors: dict, status: int = 200):
    number = step_of(step)
    warning = time_limit_warning(typed(raw), container().clock.now().date()) if step in ("behalf", "check") else None
    return render_template("intake/complaint.html", division=division, step=step, steps=STEPS, number=number,
                           raw=raw, errors=errors, formats=FORMAT_LABELS, warning=warning), status


def _anonymous(division, answers: dict):
    """Record an anonymous complaint, closed as ineligible, then say where the person may go instead."""
    try:
        record = record_anonymous_complaint(container().uow(), container().runtime, division["code"], answers)
    except NotFound:
        return render_template("intake/unavailable.html", division=division), 503
    session["anonymous"] = {**vars(record), "code": division["code"]}
    return redirect(url_for("intake.anonymous_recorded"))


def _submit(division, kind: str, answers: dict):
    try:
        reference, token = submit_public(container().uow(), container().runtime, division["code"], kind, answers)
    except NotFound:
        return render_template("intake/unavailable.html", division=division), 503
    session["submitted"] = {"reference": reference, "kind": kind, "division": division["name"],
                            "status_url": url_for("intake.status", token=token, _external=True),
                            "days": promised_days(container().uow(), division["code"], kind)}
    return redirect(url_for("intake.submitted"))


class _Empty(dict):
    def getlist(self, name):
        return []
