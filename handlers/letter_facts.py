"""The facts every complainant letter states: what it answers and when that arrived, each stage's own outcome,
who signs it, and the complainant's private status link. Computed here, in one place, and printed by templates."""
from __future__ import annotations

from processes.stage_outcomes import stage_outcomes

from .rendering import humanise, long_date, stage_key

ROLE_TITLES = {"complaints_team": "Complaints team", "line_manager": "Line manager",
               "investigating_officer": "Investigating officer", "appeal_panel": "Appeal panel",
               "psrd_director": "PSRD director", "hr": "HR", "admin": "Administrator"}
OUTCOME_WORDS = {"upheld": "upheld", "partly_upheld": "partly upheld", "not_upheld": "not upheld",
                 "resolved_informally": "resolved informally"}
ANSWERS = {"informal": "your complaint", "formal": "your request to escalate your complaint",
           "appeal": "your appeal request"}


def received_for(stage: str, data: dict, case) -> object:
    """When the thing a stage's letter answers arrived: the complaint (or, on someone's behalf, the permission),
    the escalation request, or the appeal request."""
    key = stage_key(stage)
    if key == "formal":
        return data.get("formal_received_at") or data.get("request_received_at") or case.received_at
    if key == "appeal":
        return data.get("appeal_received_at") or data.get("request_received_at") or case.received_at
    return data.get("stage1_received_at") or data.get("complaint_received_at") or case.received_at


def answers(stage: str, data: dict, case) -> dict:
    """What the letter acknowledges or answers, and the day it was received, in words."""
    if case.kind == "compliment":
        return {"stage": "", "what": "your compliment", "received_at": case.received_at,
                "received_on": long_date(case.received_at)}
    key = stage_key(stage)
    key = key if key in ANSWERS else "informal"
    received = received_for(key, data, case)
    return {"stage": key, "what": ANSWERS[key], "received_at": received, "received_on": long_date(received)}


def outcomes(case, label) -> list[dict]:
    """Each decided stage's outcome in words, with its reasons and remedy, in procedure order."""
    return [{"stage": s.stage, "label": label(s.stage), "outcome": s.outcome,
             "words": OUTCOME_WORDS.get(s.outcome, humanise(s.outcome)), "reasons": s.reasons, "remedy": s.remedy}
            for s in stage_outcomes(case).values()]


STAGE_ROLES = {"informal": ("line_manager", "investigating_officer"), "formal": ("investigating_officer",),
               "appeal": ("appeal_panel", "psrd_director")}


def signer(user, roles: list[str], division_name: str, stage: str = "") -> dict:
    """Who signs the letter: the staff member who completed the response, in the role their stage asks of them
    (a line manager at the informal stage, the investigating officer at the formal); else the team."""
    if user is None or not getattr(user, "display_name", ""):
        return {"name": f"The {division_name} complaints team", "role": "Complaints team"}
    order = (*STAGE_ROLES.get(stage_key(stage), ()), "investigating_officer", "line_manager", "appeal_panel",
             "psrd_director", "complaints_team")
    role = next((ROLE_TITLES[r] for r in order if r in roles), "Complaints team")
    return {"name": user.display_name, "role": role}
