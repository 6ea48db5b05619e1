"""Each stage's own outcome: what the informal, formal and appeal stages each decided, with reasons and remedy.

The case's single `outcome` is the latest decision (the appeal's, once there is one); the per-stage record keeps
the earlier stages' findings, so a final letter and the reports can say what each stage found."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from .aggregates import Case

Stage = Literal["informal", "formal", "appeal"]
STAGES: tuple[Stage, ...] = ("informal", "formal", "appeal")
STAGE_OUTCOMES = ("upheld", "partly_upheld", "not_upheld", "resolved_informally")
REMEDY_LIMIT = 2000


@dataclass(frozen=True)
class StageOutcome:
    """One stage's decision: its outcome, the reasons given, any remedy, and when it was made."""

    stage: Stage
    outcome: str
    reasons: str = ""
    remedy: str = ""
    decided_at: str = ""

    def as_record(self) -> dict[str, str]:
        """The JSON-safe form stored on the case."""
        return {k: v for k, v in asdict(self).items() if k != "stage"}


def stage_of(value: str) -> Stage | None:
    """The procedure stage a free stage name stands for ('stage_1', 'Formal', 'appeal-stage'), if any."""
    text = str(value or "").lower().replace("-", "_")
    if text in ("stage_1", "stage1", "informal") or text.startswith("informal"):
        return "informal"
    if text in ("stage_2", "stage2", "formal") or text.startswith("formal"):
        return "formal"
    if text in ("stage_3", "stage3", "appeal") or text.startswith("appeal"):
        return "appeal"
    return None


def outcome_from(stage: str, data: dict[str, Any], decided_at: str) -> StageOutcome | None:
    """A stage's outcome read from its response task's answers; None when the answers decide nothing."""
    key = stage_of(stage)
    outcome = str(data.get("outcome") or "")
    if key is None or outcome not in STAGE_OUTCOMES:
        return None
    reasons = str(data.get("response_text") or data.get("response_summary") or data.get("findings") or "")
    remedy = str(data.get("improvement_actions") or data.get("remedy") or "")[:REMEDY_LIMIT]
    return StageOutcome(key, outcome, reasons, remedy, decided_at)


def stage_outcomes(case: Case) -> dict[Stage, StageOutcome]:
    """The outcomes the case's stages have decided so far, in procedure order."""
    stored = getattr(case, "stage_outcomes", None) or {}
    found: dict[Stage, StageOutcome] = {}
    for stage in STAGES:
        record = stored.get(stage)
        if isinstance(record, dict) and record.get("outcome"):
            found[stage] = StageOutcome(stage, str(record["outcome"]), str(record.get("reasons") or ""),
                                        str(record.get("remedy") or ""), str(record.get("decided_at") or ""))
    return found


def record_stage_outcome(case: Case, decided: StageOutcome) -> None:
    """Keep a stage's decision on the case; a stage decided again (a reopened formal stage) keeps the latest."""
    stored = dict(getattr(case, "stage_outcomes", None) or {})
    stored[decided.stage] = decided.as_record()
    case.stage_outcomes = stored  # a new dict, so the JSON column sees the change

