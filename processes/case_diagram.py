"""Where a case stands on its diagrams: markers for every process it runs, and the trail down to the current step.

A call activity runs another process of the version's bundle; the case page opens that process's diagram in
place (as SpiffArena and Camunda Operate do), so a step two call activities deep is still visible.
"""
from __future__ import annotations

import json
import re

from SpiffWorkflow.util.task import TaskState

from . import engine

PROCESS = re.compile(r'<(?:\w+:)?process\b[^>]*?\bid="([^"]+)"(?:[^>]*?\bname="([^"]*)")?')
FOCUS_WAITING = ("ReceiveTask", "IntermediateCatchEvent", "MessageIntermediateCatchEvent",
                 "TimerIntermediateCatchEvent")
IGNORED = ("BoundaryEvent", "EventBasedGateway", "_EndJoin", "_BoundaryEventParent", "StartEvent", "BpmnStartTask")


def process_files(version) -> dict[str, str]:
    """Each process id of the version's bundle, with the name of the .bpmn file that holds it."""
    found = {}
    for name, text in sorted((version.files or {}).items()):
        if name.endswith(".bpmn"):
            for process_id, _label in PROCESS.findall(text):
                found.setdefault(process_id, name)
    return found


def process_xml(version, process_id: str) -> str | None:
    """The BPMN XML of the file holding one process of the version, or None if the bundle has no such process."""
    name = process_files(version).get(process_id)
    return (version.files or {}).get(name) if name else None


def entry_process(version) -> str:
    try:
        return json.loads((version.files or {}).get("bundle.json", "{}")).get("entry_process", "")
    except ValueError:
        return ""


def diagram_state(version, workflow) -> dict:
    """The entry process, markers per process id, and each trail of call activities to a current step."""
    state = {"entry": entry_process(version), "processes": sorted(process_files(version)), "markers": {},
             "trails": []}
    if workflow is None:
        return state
    markers: dict[str, dict[str, set]] = {}
    for task in engine.all_tasks(workflow):
        element = task.task_spec.bpmn_id
        if not element:
            continue
        bucket = markers.setdefault(task.workflow.spec.name, {"completed": set(), "current": set(), "waiting": set()})
        if task.has_state(TaskState.COMPLETED):
            bucket["completed"].add(element)
        elif task.has_state(TaskState.READY | TaskState.STARTED | TaskState.ERROR):
            bucket["current"].add(element)
        elif task.has_state(TaskState.WAITING):
            bucket["waiting"].add(element)
    state["markers"] = {process: {"completed": sorted(b["completed"]), "current": sorted(b["current"]),
                                  "waiting": sorted(b["waiting"] - b["current"])} for process, b in markers.items()}
    trails = []
    for task in focus_tasks(workflow):
        trail = trail_to(workflow, task)
        if trail not in trails:
            trails.append(trail)
    state["trails"] = trails
    return state


def focus_tasks(workflow) -> list:
    """The steps a person would call 'where the case is': tasks waiting for someone, else what it waits for."""
    tasks = list(engine.all_tasks(workflow, TaskState.READY | TaskState.STARTED | TaskState.ERROR | TaskState.WAITING))
    def kind(task):
        return type(task.task_spec).__name__
    people = [t for t in tasks if t.has_state(TaskState.READY) and t.task_spec.manual]
    if people:
        return people
    waiting = [t for t in tasks if t.task_spec.bpmn_name and kind(t) != "CallActivity"
               and not any(kind(t).endswith(name) for name in IGNORED)]
    return [t for t in waiting if kind(t) in FOCUS_WAITING or not t.has_state(TaskState.WAITING)] or waiting[:1]


def trail_to(workflow, task) -> list[dict]:
    """From the entry process down to `task`: the call activity taken at each level, then the step itself."""
    trail = [{"process": task.workflow.spec.name, "element": task.task_spec.bpmn_id,
              "name": task.task_spec.bpmn_name or task.task_spec.bpmn_id}]
    current = task.workflow
    while getattr(current, "parent_task_id", None) is not None:
        caller = workflow.get_task_from_id(current.parent_task_id)
        if caller is None:
            break
        trail.insert(0, {"process": caller.workflow.spec.name, "element": caller.task_spec.bpmn_id,
                         "name": caller.task_spec.bpmn_name or caller.task_spec.bpmn_id,
                         "calls": current.spec.name})
        current = caller.workflow
    return trail


def where_sentence(state: dict, closed: bool) -> str:
    """The diagram's accessible name: where the case is, in the steps' own names."""
    if closed:
        return "The case is closed. The diagram shows the steps it went through."
    if not state.get("trails"):
        return "Where the case is: nothing is running now."
    return "Where the case is: " + "; and ".join(" › ".join(step["name"] for step in trail)
                                                 for trail in state["trails"]) + "."
