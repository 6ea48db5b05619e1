"""A Delivery Partner's copy of a stage of its own complaints procedure, recorded from the case page.

Group policy 2.5.3: partners follow their own procedure first and copy Seetec in at each stage; an appeal after
the partner's formal reply is Seetec's third stage.
"""
from __future__ import annotations

from datetime import date, datetime, time

from .access import Actor
from .calendar import LONDON
from .case_run import Runtime
from .errors import InvalidInput
from .input_bounds import received_problems
from .lifecycle import deliver_message

PARTNER_UPDATE = "partner_update"
PARTNER_STAGES = {"informal": "Its informal stage response", "formal": "Its formal stage response",
                  "closed": "It has resolved and closed the complaint"}
MAX_SUMMARY = 2000


def record_partner_copy(uow, runtime: Runtime, actor: Actor, reference: str, stage: str, summary: str,
                        dated: date | None) -> None:
    """Deliver the partner's copy to a case waiting for it; the date is that of the partner's letter."""
    now = runtime.clock.now()
    problems = {}
    if stage not in PARTNER_STAGES:
        problems["partner_stage"] = ["Choose which stage the partner's copy is about"]
    summary = (summary or "").strip()
    if len(summary) > MAX_SUMMARY:
        problems["partner_summary"] = [f"The summary must be {MAX_SUMMARY:,} characters or fewer "
                                       f"(it has {len(summary):,})"]
    at = None
    if dated is None:
        problems["partner_dated"] = ["Enter the date of the partner's letter or email"]
    else:
        at = now if dated == now.astimezone(LONDON).date() else datetime.combine(dated, time(12), LONDON)
        late = received_problems(at, now)
        if late:
            problems["partner_dated"] = late
    if problems:
        raise InvalidInput("the partner's copy cannot be recorded", problems, case_reference=reference)
    payload = {"stage": stage, "summary": summary, "responded_at": at.isoformat(), "received_at": at.isoformat(),
               "recorded_by": actor.username}
    try:
        deliver_message(uow, runtime, reference, PARTNER_UPDATE, payload, actor)
    except InvalidInput as exc:  # dated before the case was received: reported against this form's date
        raise InvalidInput(exc.message, {"partner_dated": exc.fields.get("received_at", [exc.message])},
                           case_reference=reference) from None
