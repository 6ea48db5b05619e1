"""Timer events that read the injectable clock and remember why their deadline is what it is."""
from __future__ import annotations

from datetime import datetime

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.util import first
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)


def _engine(my_task):
    return my_task.workflow.script_engine


def _explain(my_task):
    deadline = _engine(my_task).environment.last_deadline
    if deadline is None:
        return None
    return {"counted_from": deadline.counted_from.isoformat(), "working_days": deadline.working_days,
            "skipped": [[d.isoformat(), why] for d, why in deadline.skipped], "text": deadline.explain()}


MAX_DURATION_MONTHS = 1200  # SpiffWorkflow adds a duration's months one by one: bound them before it loops


def bounded_duration(expression: str) -> dict:
    """An ISO 8601 duration parsed by SpiffWorkflow, refused when it is longer than a hundred years."""
    parsed = TimerEventDefinition.parse_iso_duration(expression)
    months = parsed.get("years", 0) * 12 + parsed.get("months", 0)
    if months > MAX_DURATION_MONTHS or parsed.get("weeks", 0) * 7 + parsed.get("days", 0) > 36_600:
        raise ValueError(f"{expression} is longer than a hundred years")
    return parsed


def _unusable(my_task, value, kind: str) -> WorkflowTaskException:
    # A value the timer cannot use is the diagram's fault: an incident on the case, never a crashed request.
    spec = my_task.task_spec
    label = spec.bpmn_name or spec.bpmn_id or spec.name
    shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
    return WorkflowTaskException(f"the timer expression of '{label}' gave {shown}, not {kind}", task=my_task)


class WorkingTimeDateEventDefinition(TimeDateEventDefinition):
    """A timer at an instant given by an expression, e.g. `working_days_after(received_at, 3)`."""

    def has_fired(self, my_task):
        if my_task._get_internal_data("event_value") is None:
            _engine(my_task).environment.last_deadline = None
            value = _engine(my_task).evaluate(my_task, self.expression)
            try:
                value = value if isinstance(value, str) else value.isoformat()
                if not isinstance(TimerEventDefinition.parse_time_or_duration(value), datetime):
                    raise ValueError(value)
            except (AttributeError, TypeError, ValueError, OverflowError):
                raise _unusable(my_task, value, "a date and time") from None
            my_task._set_internal_data(event_value=value, deadline=_explain(my_task))
        due = TimerEventDefinition.parse_time_or_duration(my_task._get_internal_data("event_value"))
        if due <= _engine(my_task).clock.now():
            my_task._set_internal_data(event_fired=True)
        return my_task._get_internal_data("event_fired", False)


class WorkingDurationEventDefinition(DurationTimerEventDefinition):
    """A timer a duration after it starts waiting, measured on the injectable clock."""

    def has_fired(self, my_task):
        now = _engine(my_task).clock.now()
        if my_task._get_internal_data("event_value") is None:
            expression = _engine(my_task).evaluate(my_task, self.expression)
            try:
                parsed = bounded_duration(expression)
                value = now + TimerEventDefinition.get_timedelta_from_start(parsed, now)
            except (AttributeError, TypeError, ValueError, OverflowError):
                raise _unusable(my_task, expression, "an ISO 8601 duration") from None
            my_task._set_internal_data(event_value=value.isoformat())
        if TimerEventDefinition.get_datetime(my_task._get_internal_data("event_value")) <= now:
            my_task._set_internal_data(event_fired=True)
        return my_task._get_internal_data("event_fired", False)


class WorkingTimerParsing:
    """Parser mixin that builds the clock-reading timer definitions; cycle timers are refused."""

    def parse_timer_event(self, event):
        name = self.node.get("name", self.node.get("id"))
        description = self.get_event_description(event)
        time_date = first(self.xpath(".//bpmn:timeDate"))
        if time_date is not None:
            return WorkingTimeDateEventDefinition(name, (time_date.text or "").strip(), description=description)
        duration = first(self.xpath(".//bpmn:timeDuration"))
        if duration is not None:
            return WorkingDurationEventDefinition(name, (duration.text or "").strip(), description=description)
        raise ValidationException("Timers must give a timeDate or timeDuration expression (cycles are not supported)",
                                  node=self.node, file_name=self.filename)
