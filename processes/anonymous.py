"""Anonymous complaints (policy 2.4.1, 2.4.2): recorded so their themes are learnt from, closed at once as not
eligible for investigation, and the person told on screen where they may go instead."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .case_rules import close
from .case_run import Runtime
from .errors import InvalidInput, NotFound
from .ports import UnitOfWork

REASON = "anonymous"
MAX_TEXT = 10_000


@dataclass(frozen=True)
class AnonymousRecord:
    """What the person who complained anonymously is told: the reference and where to go instead."""

    reference: str
    division: str
    mailbox: str
    signpost: str


def anonymous_problems(answers: dict[str, Any]) -> dict[str, list[str]]:
    """Only what happened is needed from someone who does not give their name."""
    summary = str(answers.get("summary") or "").strip()
    if not summary:
        return {"summary": ["Tell us what happened"]}
    if len(summary) > MAX_TEXT:
        return {"summary": [f"What happened must be {MAX_TEXT:,} characters or fewer"]}
    return {}


def record_anonymous_complaint(uow: UnitOfWork, runtime: Runtime, division: str,
                               answers: dict[str, Any]) -> AnonymousRecord:
    """Record an anonymous complaint, closed as ineligible with its reason; staff may still classify its themes."""
    problems = anonymous_problems(answers)
    if problems:
        raise InvalidInput("the form has errors", problems)
    with uow:
        found = uow.divisions.by_code(division)
        key = ((found.config or {}).get("processes") or {}).get("complaint") if found is not None else None
        version = uow.versions.published(key) if key else None
        if found is None or version is None:
            raise NotFound(f"no published complaint process for {division!r}")
        now = runtime.clock.now()
        reference = uow.cases.next_reference(found, now.year)
        case = uow.cases.add(reference=reference, division_id=found.id, kind="complaint", channel="web",
                             received_at=now, version_id=version.id, complainant={},
                             summary=str(answers["summary"]).strip(), created_at=now)
        case.stage, case.outcome = "intake", "ineligible"
        retention_until = close(case, now, (found.config or {}).get("retention_years"))
        config = dict(found.config or {})
        signpost = str((config.get("signposts") or {}).get(REASON) or "")
        facts = {"happened_on": str(answers.get("happened_on") or ""), "aware_on": str(answers.get("aware_on") or ""),
                 "outcome_wanted": str(answers.get("outcome_wanted") or "")[:2000]}
        uow.events.append(case.id, "case_started", "complainant", now, version_id=version.id,
                          data={"anonymous": True, "process": version.process_key, "version": version.number,
                                **facts})
        uow.events.append(case.id, "complaint_signposted", "system", now, version_id=version.id,
                          data={"reason": REASON, "signpost": signpost, "policy": "2.4.1, 2.4.2"})
        uow.events.append(case.id, "case_closed", "system", now, version_id=version.id,
                          data={"outcome": "ineligible", "reason": REASON, "retention_until": str(retention_until)})
        uow.commit()
        return AnonymousRecord(reference, found.name, str(config.get("complaints_mailbox") or ""), signpost)
