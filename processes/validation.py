"""Bundle validation: every problem reported against the file and element it concerns."""
from __future__ import annotations

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.service_task import ServiceTask

from .access import role_for_lane
from .bundle import Bundle
from .closing_forms import CLASSIFY, MODES, classify_mode
from .engine import ProcessDefinition, parse_bundle, task_properties
from .errors import BundleInvalid
from .expression_checks import ExpressionChecker
from .forms import check_schema
from .graph import structure_problems
from .letter_templates import template_problems
from .policy_review import policy_problems
from .policy_rules import manifest_problems
from .vocabulary import DeadlineKind

DEADLINE_KINDS = tuple(kind for kind in DeadlineKind if kind is not DeadlineKind.TIMER)


def validate_bundle(bundle: Bundle, operators) -> tuple[ProcessDefinition | None, list[dict]]:
    """Parse and check a bundle; return the definition (if it parsed) and the list of problems."""
    expressions = ExpressionChecker()  # one sandbox budget for the whole bundle
    problems = structure_problems(bundle) + expressions.bundle_problems(bundle) + template_problems(bundle) \
        + manifest_problems(bundle)
    try:
        definition = parse_bundle(bundle)
    except BundleInvalid as exc:
        unresolved_calls = any("call activity" in p["message"] for p in problems)
        return None, problems + [p for p in exc.problems
                                 if not (unresolved_calls and "was not found" in p["message"])]
    for spec in definition.all_specs():
        for task_spec in spec.task_specs.values():
            problems += _check_task(definition, task_spec, operators, expressions)
    problems = _unique(problems)
    return definition, problems + policy_problems(bundle, problems)  # policy breaches: a kind of their own


def refused_by_sandbox(problems: list[dict]) -> bool:
    """True when some expression was refused by the sandbox or exceeded its budget (not merely mistaken)."""
    return any(p.get("sandbox") for p in problems)


def _unique(problems: list[dict]) -> list[dict]:
    seen, unique = set(), []
    for problem in problems:
        key = (problem.get("element"), problem["message"])
        if key not in seen:
            seen.add(key)
            unique.append(problem)
    return unique


def require_valid(bundle: Bundle, operators) -> ProcessDefinition:
    """The parsed definition, or BundleInvalid listing every problem (policy breaches too)."""
    definition, problems = validate_bundle(bundle, operators)
    if problems:
        raise BundleInvalid(problems)
    return definition


def _check_task(definition: ProcessDefinition, task_spec, operators, expressions: ExpressionChecker) -> list[dict]:
    element = getattr(task_spec, "bpmn_id", None)
    if element is None:
        return []
    where = {"element": element, "name": task_spec.bpmn_name or element}
    problems = []
    if isinstance(task_spec, ServiceTask):
        problems += _check_operator(task_spec, operators, where)
    props = task_properties(task_spec)
    for key in ("formJsonSchemaFilename", "formUiSchemaFilename"):
        if props.get(key):
            problems += _check_form(definition.bundle, props[key], key == "formJsonSchemaFilename", where)
    if task_spec.manual and not task_spec.lane:
        problems.append({**where, "message": f"'{where['name']}' is in no lane, so no role would see it"})
    elif task_spec.manual and role_for_lane(task_spec.lane) is None:
        problems.append({**where,
                         "message": f"'{where['name']}' is in lane {task_spec.lane!r}, which is not a known role"})
    if props.get("dueTimer") and props["dueTimer"] not in _boundary_timer_ids(task_spec):
        problems.append({**where, "message": f"'{where['name']}' names dueTimer {props['dueTimer']!r}, "
                                             "which is not a timer on its boundary"})
    if props.get(CLASSIFY) and classify_mode(task_spec) is None:
        problems.append({**where, "message": f"'{where['name']}' has {CLASSIFY} {props[CLASSIFY]!r}; "
                                             f"use one of {', '.join(MODES)}"})
    if props.get("deadlineKind") and props["deadlineKind"] not in DEADLINE_KINDS:
        problems.append({**where, "message": f"'{where['name']}' has deadline kind {props['deadlineKind']!r}; "
                                             f"use one of {', '.join(DEADLINE_KINDS)}"})
    definition_ = getattr(task_spec, "event_definition", None)
    if isinstance(definition_, TimerEventDefinition):
        problems += expressions.timer_problems(definition_, where)
    return problems


def _check_form(bundle: Bundle, name: str, is_schema: bool, where: dict) -> list[dict]:
    try:
        form = bundle.json_file(name)
        if is_schema:
            check_schema(name, form)
        elif not isinstance(form, dict):
            return [{**where, "file": name, "message": f"UI schema {name} must be a JSON object"}]
    except BundleInvalid as exc:
        return [{**where, **p} for p in exc.problems]
    except RecursionError:
        return [{**where, "file": name, "message": f"{name} is nested too deeply"}]
    return []


def _boundary_timer_ids(task_spec) -> set[str]:
    # Boundary events hang off the same split as the task they are attached to.
    return {sibling.bpmn_id for parent in task_spec.inputs for sibling in parent.outputs
            if sibling is not task_spec
            and isinstance(getattr(sibling, "event_definition", None), TimerEventDefinition)}


def _check_operator(task_spec, operators, where) -> list[dict]:
    name = task_spec.operation_name
    if name not in operators:
        return [{**where, "message": f"service task '{where['name']}' names unknown operator {name!r}"}]
    known = operators.parameters(name)
    given = set(task_spec.operation_params)
    problems = [{**where, "message": f"operator {name!r} has no parameter {p!r}"} for p in sorted(given - set(known))]
    problems += [{**where, "message": f"operator {name!r} needs parameter {p!r}"}
                 for p, required in known.items() if required and p not in given]
    return problems
