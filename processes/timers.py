"""What the product's timers compute: bounded durations, the explanation of a deadline, an unusable value's incident.

The timer event definitions themselves live in the engine adapter (`processes/engine.py`), which alone touches
SpiffWorkflow's task internals."""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition


def explain_deadline(environment: Any) -> dict[str, Any] | None:
    """Why the deadline the last timer expression computed is what it is, kept with its timer."""
    deadline = environment.last_deadline
    if deadline is None:
        return None
    return {"counted_from": deadline.counted_from.isoformat(), "working_days": deadline.working_days,
            "skipped": [[d.isoformat(), why] for d, why in deadline.skipped], "text": deadline.explain()}


MAX_DURATION_MONTHS = 1200  # SpiffWorkflow adds a duration's months one by one: bound them before it loops


def bounded_duration(expression: str) -> dict[str, Any]:
    """An ISO 8601 duration parsed by SpiffWorkflow, refused when it is longer than a hundred years."""
    parsed: dict[str, Any] = TimerEventDefinition.parse_iso_duration(expression)
    months = parsed.get("years", 0) * 12 + parsed.get("months", 0)
    if months > MAX_DURATION_MONTHS or parsed.get("weeks", 0) * 7 + parsed.get("days", 0) > 36_600:
        raise ValueError(f"{expression} is longer than a hundred years")
    return parsed


def unusable_value(my_task: Any, value: object, kind: str) -> WorkflowTaskException:
    """The incident for a timer expression whose value the timer cannot use."""
    # A value the timer cannot use is the diagram's fault: an incident on the case, never a crashed request.
    spec = my_task.task_spec
    label = spec.bpmn_name or spec.bpmn_id or spec.name
    shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
    return WorkflowTaskException(f"the timer expression of '{label}' gave {shown}, not {kind}", task=my_task)
