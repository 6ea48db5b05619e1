"""What the modeler and governance pages show: processes and their versions, a review, a case's version."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .access import ROLES, SYSTEM, Actor
from .bundle import Bundle, bundle_from_files, parse_xml_safely
from .change_list import Change, change_list
from .change_list_bpmn import describe_elements
from .errors import BundleInvalid, NotFound
from .governance import contributors
from .policy_review import blocking, policy_view
from .process_scope import process_owners
from .validation import DEADLINE_KINDS, validate_bundle
from .vocabulary import OFFICE_ROLES, Role, VersionState

READERS = (Role.PROCESS_ANALYST, Role.GOVERNANCE)

STATE_LABELS: dict[str, str] = {VersionState.DRAFT: "Draft", VersionState.IN_REVIEW: "In review",
                                 VersionState.PUBLISHED: "Published (in force)", VersionState.RETIRED: "Retired",
                                 VersionState.REJECTED: "Rejected"}
EVENT_LABELS = {"version_drafted": "Draft created", "version_saved": "Draft saved", "version_imported": "Imported",
                "version_exported": "Exported", "version_submitted": "Submitted for review",
                "version_approved": "Approved", "version_rejected": "Rejected", "version_published": "Published",
                "version_retired": "Retired", "cases_migrated": "Running cases migrated",
                "case_migrated": "Moved to a new process version", "replay_requested": "Replay requested",
                "replay_reported": "Replay report made", "replay_progress": "Replay progress"}


@dataclass
class VersionLine:
    """One version of a process as lists show it."""

    id: int
    process_key: str
    number: int
    title: str
    state: str
    sha256: str
    author: str | None
    reviewer: str | None
    change_note: str
    review_note: str
    created_at: object
    submitted_at: object
    reviewed_at: object
    published_at: object
    problems: int
    running_cases: int = 0

    @property
    def state_label(self) -> str:
        if self.state == VersionState.IN_REVIEW and self.reviewer:
            return "Approved, not yet published"
        return STATE_LABELS.get(self.state, self.state)

    @property
    def approved(self) -> bool:
        return self.state == VersionState.IN_REVIEW and self.reviewer is not None


@dataclass
class ProcessLine:
    """A process with its versions, newest first, and the one in force."""

    process_key: str
    title: str
    versions: list[VersionLine]
    divisions: list[str] = field(default_factory=list)

    @property
    def owned_by(self) -> str:
        return ", ".join(self.divisions) if self.divisions else "No division (a shared base, or not yet in use)"

    @property
    def in_force(self) -> VersionLine | None:
        return next((v for v in self.versions if v.state == VersionState.PUBLISHED), None)


@dataclass
class Review:
    """The review page: proposed against in force, the change list, validation and case counts."""

    proposed: VersionLine
    in_force: VersionLine | None
    changes: list[Change]
    problems: list[dict]
    running: list[VersionLine]
    diagrams: list[dict]  # {"file", "changed"} per BPMN file; the XML is fetched per file (diagram_pair)
    history: list[dict]
    contributors: set[str] = field(default_factory=set)
    policy: dict | None = None  # the policy rules checked, each breach and its justification
    divisions: list[str] = field(default_factory=list)
    may_review: bool = False


def processes_overview(uow, *, actor: Actor = SYSTEM, roles: str | tuple[str, ...] = READERS) -> list[ProcessLine]:
    """The processes the actor may act on in one of the roles, with all their versions and running cases."""
    with uow:
        owners = process_owners(uow)
        counts = uow.versions.running_case_counts()
        names = _display_names(uow)
        grouped: dict[str, list[VersionLine]] = {}
        for row in uow.versions.listed():
            if owners.may(actor, roles, row.process_key):
                grouped.setdefault(row.process_key, []).append(_line(row, names, counts))
        return [ProcessLine(key, (versions[-1].title or key), sorted(versions, key=lambda v: -v.number),
                            sorted(owners.of(key).values()))
                for key, versions in sorted(grouped.items())]


def version_detail(uow, version_id: int, *, actor: Actor = SYSTEM,
                   roles: str | tuple[str, ...] = READERS) -> tuple[VersionLine, dict[str, str]]:
    """A version and its files, as text; Forbidden unless the actor holds one of the roles for its process."""
    with uow:
        row = uow.versions.get(version_id)
        if row is None:
            raise NotFound(f"no process version {version_id}")
        process_owners(uow).require(actor, roles, row.process_key, "open its versions")
        return _line(row, _display_names(uow), uow.versions.running_case_counts(row.process_key)), dict(row.files)


def review(uow, runtime, version_id: int, *, actor: Actor = SYSTEM) -> Review:
    """Everything governance needs to decide on a version, compared with the version in force."""
    with uow:
        row = uow.versions.get(version_id)
        if row is None:
            raise NotFound(f"no process version {version_id}")
        owners = process_owners(uow)
        owners.require(actor, READERS, row.process_key, "read its reviews")
        names, counts = _display_names(uow), uow.versions.running_case_counts(row.process_key)
        versions = uow.versions.for_process(row.process_key)
        in_force = _compared_with(uow, row)
        proposed_bundle = _bundle(row.files)
        old_bundle = _bundle(in_force.files) if in_force else None
        _, problems = validate_bundle(proposed_bundle, runtime.services)
        history = [{"at": e.at, "label": EVENT_LABELS.get(e.kind, e.kind), "actor": e.actor, "data": e.data}
                   for e in uow.events.for_version(row.id)]
        return Review(
            proposed=_line(row, names, counts), in_force=_line(in_force, names, counts) if in_force else None,
            changes=change_list(old_bundle, proposed_bundle), problems=blocking(problems),
            running=[_line(v, names, counts) for v in versions if counts.get(v.id)],
            diagrams=[{"file": p["file"], "changed": p["changed"]} for p in diagram_pairs(old_bundle, proposed_bundle)],
            history=history,
            contributors=contributors(uow, row), policy=policy_view(proposed_bundle, row.policy_check, problems),
            divisions=sorted(owners.of(row.process_key).values()),
            may_review=not actor.is_system and owners.may(actor, Role.GOVERNANCE, row.process_key))


def sibling_processes(uow, version_id: int, *, actor: Actor) -> list[tuple[str, str]]:
    """(process key, "Title (run by ...)") of the other processes built on the same lifecycle (the same entry
    process) that the actor may edit: where a change to this version can also be proposed."""
    with uow:
        row = uow.versions.get(version_id)
        if row is None:
            return []
        owners = process_owners(uow)
        entry = _entry(row.files)
        found: dict[str, str] = {}
        for other in uow.versions.listed():
            if other.process_key == row.process_key or other.process_key in found or \
                    other.state != VersionState.PUBLISHED or _entry(other.files) != entry:
                continue
            if owners.may(actor, Role.PROCESS_ANALYST, other.process_key):
                run_by = ", ".join(sorted(owners.of(other.process_key).values()))
                found[other.process_key] = f"{other.title or other.process_key} " + \
                    (f"(run by {run_by})" if run_by else "(the shared base; no division runs it)")
        return sorted(found.items())


def _entry(files: dict[str, str]) -> str | None:
    try:
        return json.loads(files.get("bundle.json", "{}")).get("entry_process")
    except ValueError:
        return None


FORECAST_WEEKS = 4


@dataclass(frozen=True)
class PublishForecast:
    """How many new cases a week a published version would govern, from the recent intake of the divisions that
    route cases to its process."""

    process_key: str
    weeks: int
    received: int
    divisions: list[tuple[str, str, int]]  # (code, name, cases received in the period)

    @property
    def per_week(self) -> float:
        return self.received / self.weeks

    @property
    def per_week_text(self) -> str:
        rounded = round(self.per_week)
        if self.received and rounded == 0:
            return "fewer than 1 new case a week"
        return f"about {rounded} new case{'' if rounded == 1 else 's'} a week"


def publish_forecast(uow, version_id: int, now: datetime, weeks: int = FORECAST_WEEKS) -> PublishForecast:
    """The weekly intake the version would take on: cases received in the last `weeks` weeks by every division
    whose configuration sends a kind of case to this process, counting only those kinds."""
    with uow:
        row = uow.versions.get(version_id)
        if row is None:
            raise NotFound(f"no process version {version_id}")
        counts = uow.cases.received_counts(now - timedelta(weeks=weeks))
        divisions = []
        for division in sorted(uow.divisions.all(), key=lambda d: d.code):
            kinds = {kind for kind, key in (division.config.get("processes") or {}).items() if key == row.process_key}
            if kinds:
                divisions.append((division.code, division.name,
                                  sum(n for (division_id, kind), n in counts.items()
                                      if division_id == division.id and kind in kinds)))
        return PublishForecast(row.process_key, weeks, sum(n for *_, n in divisions), divisions)


def diagram_pairs(old: Bundle | None, new: Bundle) -> list[dict]:
    """Each BPMN file of the proposed bundle with its in-force counterpart, the entry diagram first, then the files
    the proposal removed; `changed` tells whether the file differs (so the review opens on the first that does)."""
    entry = new.manifest.get("entry_process")
    names = sorted(n for n in new.files if n.endswith(".bpmn"))
    names.sort(key=lambda n: 0 if f'id="{entry}"'.encode() in new.files[n] else 1)
    before = old.files if old else {}
    pairs = [{"file": n, "new": new.files[n].decode(), "old": before.get(n, b"").decode(),
              "changed": old is not None and before.get(n) != new.files[n]} for n in names]
    removed = sorted(n for n in before if n.endswith(".bpmn") and n not in new.files)
    return pairs + [{"file": n, "new": "", "old": before[n].decode(), "changed": True} for n in removed]


def diagram_pair(uow, version_id: int, index: int, *, actor: Actor = SYSTEM) -> dict | None:
    """One file of a review's diagram pairs (proposed and in force), for the review page to fetch when it is shown;
    Forbidden unless the actor may read the process's reviews."""
    with uow:
        row = uow.versions.get(version_id)
        if row is None:
            raise NotFound(f"no process version {version_id}")
        process_owners(uow).require(actor, READERS, row.process_key, "read its reviews")
        in_force = _compared_with(uow, row)
        pairs = diagram_pairs(_bundle(in_force.files) if in_force else None, _bundle(row.files))
        return pairs[index] if 0 <= index < len(pairs) else None


def _compared_with(uow, row):
    """The version a review compares with: the one in force, or for a published version the one it replaced."""
    in_force = uow.versions.published(row.process_key)
    if in_force is None or in_force.id == row.id:
        earlier = [v for v in uow.versions.for_process(row.process_key)
                   if v.number < row.number and v.state in (VersionState.PUBLISHED, VersionState.RETIRED)]
        in_force = earlier[-1] if earlier else None
    return in_force


def case_version(uow, reference: str, actor: Actor) -> dict:
    """The process version and hash a case runs under, and every migration it went through (for the case page)."""
    with uow:
        case = uow.cases.by_reference(reference)
        division = uow.divisions.get(case.division_id) if case else None
        if case is None or not actor.can_see(division.code):
            raise NotFound(f"no case {reference}")
        version = uow.versions.get(case.version_id)
        migrations = [{"at": e.at, "actor": e.actor, **e.data} for e in uow.events.for_case(case.id)
                      if e.kind == "case_migrated"]
        return {"process_key": version.process_key, "number": version.number, "title": version.title,
                "sha256": version.sha256, "state": version.state, "version_id": version.id, "migrations": migrations}


def version_choices(uow) -> list[tuple[int, str]]:
    """(version id, "Title v3 · 1a2b3c4d5e6f") pairs for filters by version."""
    with uow:
        return [(v.id, f"{v.title or v.process_key} v{v.number} · {v.sha256[:12]}") for v in uow.versions.listed()]


def governance_log(uow, limit: int = 200, *, actor: Actor = SYSTEM) -> list[dict]:
    """The newest governance actions on versions of processes the actor may read, newest first, each naming the
    divisions that ran the process when it happened."""
    with uow:
        owners = process_owners(uow)
        numbers = {v.id: (v.process_key, v.number) for v in uow.versions.listed()}
        entries = []
        for e in uow.events.governance_log(limit * 4 if not actor.is_system else limit):
            key, number = numbers.get(e.version_id, ("?", 0))
            if not owners.may(actor, READERS, key):
                continue
            codes = (e.data or {}).get("divisions", owners.codes(key))
            entries.append({"at": e.at, "kind": e.kind, "label": EVENT_LABELS.get(e.kind, e.kind), "actor": e.actor,
                            "version_id": e.version_id, "process_key": key, "number": number, "data": e.data,
                            "divisions": ", ".join(codes) if codes else "none (shared base)"})
        return entries[:limit]


def element_names(files: dict[str, str]) -> dict[str, str]:
    """BPMN element ids to names, so problems and changes can say which element they concern."""
    names = {}
    for name, text in files.items():
        if name.endswith(".bpmn"):
            try:
                root = parse_xml_safely(name, text.encode())
            except BundleInvalid:
                continue
            names.update({e.get("id"): e.get("name") or e.get("id") for e in root.iter() if e.get("id")})
    return names


def element_choices(files: dict[str, str]) -> list[tuple[str, str]]:
    """(id, "Name (kind)") for every named element of the diagrams, by name, for finding one in a big diagram."""
    named = {element_id: e for element_id, e in describe_elements(_bundle(files)).items() if e["name"]}
    counts: dict[str, int] = {}
    for e in named.values():
        counts[e["name"]] = counts.get(e["name"], 0) + 1
    labels = {element_id: f"{e['name']} ({e['kind'].lower()}" + (f", {element_id})" if counts[e["name"]] > 1 else ")")
              for element_id, e in named.items()}
    return sorted(labels.items(), key=lambda choice: choice[1].lower())


def timer_date_fields(files: dict[str, str]) -> list[str]:
    """Case data fields the diagrams already count working days from, for the timer helper."""
    found = {"received_at"}
    for name, text in files.items():
        if name.endswith(".bpmn"):
            found.update(re.findall(r"working_days_after\(\s*([A-Za-z_][A-Za-z0-9_]*)", text))
    return sorted(found)


def lane_roles() -> list[str]:
    """The role names a lane may carry."""
    return [label for key, label in ROLES.items() if key not in OFFICE_ROLES]


def modeler_hints(files: dict[str, str]) -> dict:
    """What the modeler's runtime-settings box offers: deadline kinds, lane roles and date fields."""
    return {"deadlineKinds": list(DEADLINE_KINDS), "roles": lane_roles(), "dateFields": timer_date_fields(files)}


def form_files(files: dict[str, str]) -> list[str]:
    """The JSON files of a bundle other than its manifest: task forms and their UI hints."""
    return sorted(n for n in files if n.endswith(".json") and n != "bundle.json")


def _bundle(files: dict[str, str]) -> Bundle:
    return bundle_from_files({name: text.encode() for name, text in files.items()})


class _Names(dict):
    """User ids to display names, looked up on first use."""

    def __init__(self, uow):
        super().__init__()
        self.uow = uow

    def __missing__(self, user_id):
        user = self.uow.users.get(user_id) if user_id else None
        self[user_id] = user.display_name or user.username if user else None
        return self[user_id]


def _display_names(uow) -> dict[int, str]:
    return _Names(uow)


def _line(row, names: dict[int, str], counts: dict[int, int]) -> VersionLine:
    return VersionLine(row.id, row.process_key, row.number, row.title, row.state, row.sha256,
                       names[row.author_id] if row.author_id else "System", names[row.reviewer_id],
                       row.change_note or "", row.review_note or "", row.created_at, row.submitted_at,
                       row.reviewed_at, row.published_at, len(row.validation or []), counts.get(row.id, 0))
