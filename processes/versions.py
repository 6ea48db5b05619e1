"""Process versions: deploy a bundle as a draft, publish the shipped diagrams on first start, and find a version to
write back out as files."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .ports import UnitOfWork

from .access import SYSTEM, Actor
from .bundle import MANIFEST, Bundle, bundle_from_files
from .case_run import Runtime
from .errors import BundleInvalid, InvalidInput, NotFound
from .policy_review import blocking, breaches_in, policy_record
from .validation import require_valid, validate_bundle
from .vocabulary import VersionState


def _text_files(bundle: Bundle) -> dict[str, str]:
    return {name: content.decode("utf-8") for name, content in bundle.files.items()}


def deploy_draft(uow: UnitOfWork, runtime: Runtime, bundle: Bundle, actor: Actor, change_note: str = "") -> int:
    """Validate a bundle and save it as a new draft version of its process (policy breaches are justified later)."""
    definition, problems = validated(bundle, runtime.services)
    with uow:
        now = runtime.clock.now()
        version = uow.versions.add(process_key=bundle.process_key, number=uow.versions.next_number(bundle.process_key),
                                   title=bundle.manifest.get("title", bundle.process_key), state=VersionState.DRAFT,
                                   sha256=bundle.sha256, files=_text_files(bundle), author_id=actor.user_id,
                                   change_note=change_note, created_at=now, updated_at=now)
        version.validation, version.policy_check = problems, policy_record(bundle, problems)
        uow.versions.store_spec(bundle.sha256, definition.to_json())
        uow.events.append(None, "version_drafted", actor.username, now, version_id=version.id,
                          data={"process": bundle.process_key, "number": version.number, "sha256": bundle.sha256})
        uow.commit()
        return version.id


def publish_shipped(uow: UnitOfWork, runtime: Runtime, bundle: Bundle) -> int | None:
    """Record a shipped bundle as version 1, published by the system, if its process has no versions yet.

    A bundle built on a `base` process that is already published here (an installation that ran the group lifecycle
    before each division had its own process) starts from the base's version in force, not from the shipped files,
    so that changes governance published to the base are not lost when a division takes its own process.
    """
    note = "Shipped version"
    with uow:
        if uow.versions.for_process(bundle.process_key):
            return None
        base_key = bundle.manifest.get("base")
        base = uow.versions.published(base_key) if base_key else None
        justified: dict[str, str] = {}
        if base is not None:
            files = {name: text.encode() for name, text in base.files.items()}
            bundle = bundle_from_files({**files, MANIFEST: bundle.files[MANIFEST]})
            note = f"Shipped version: {base_key} v{base.number} as it was in force, under its own process key"
            justified = {b["key"]: f"justified on {base_key} v{base.number}: {b['justification']}"
                         for b in (base.policy_check or {}).get("breaches", []) if b.get("justification")}
    problems: list[dict[str, Any]] = []
    if base is None:
        definition = require_valid(bundle, runtime.services)
    else:  # a breach governance justified and published on the base stays justified; any other refuses
        definition, problems = validated(bundle, runtime.services)
        refused = [b for b in breaches_in(problems) if b["key"] not in justified]
        if refused:
            raise BundleInvalid(refused)
    with uow:
        if uow.versions.for_process(bundle.process_key):
            return None
        now = runtime.clock.now()
        version = uow.versions.add(process_key=bundle.process_key, number=1, state=VersionState.PUBLISHED,
                                   title=bundle.manifest.get("title", bundle.process_key), sha256=bundle.sha256,
                                   files=_text_files(bundle), change_note=note, created_at=now,
                                   updated_at=now, submitted_at=now, reviewed_at=now, published_at=now,
                                   policy_check=policy_record(bundle, problems, justified))
        uow.versions.store_spec(bundle.sha256, definition.to_json())
        uow.events.append(None, "version_published", SYSTEM.username, now, version_id=version.id,
                          data={"process": bundle.process_key, "number": 1, "sha256": bundle.sha256})
        uow.commit()
        return version.id


def validated(bundle: Bundle, operators: Any) -> tuple[Any, list[dict[str, Any]]]:
    """The parsed definition and the bundle's policy breaches; any other problem refuses the bundle."""
    definition, problems = validate_bundle(bundle, operators)
    if blocking(problems) or definition is None:
        raise BundleInvalid(blocking(problems))
    return definition, problems


VERSION_REF = re.compile(r"^(?:(?P<key>[A-Za-z0-9_.-]+):(?P<number>\d+)|(?P<id>\d+))$")


def version_bundle(uow: UnitOfWork, ref: str) -> tuple[Bundle, dict[str, Any]]:
    """The bundle of the version `ref` names, `process_key:number` (e.g. group_complaint:3) or a version id, and a
    summary of the version."""
    found = VERSION_REF.match((ref or "").strip())
    if not found:
        raise InvalidInput(f"{ref!r} names no version: give process_key:number (e.g. group_complaint:3) or a "
                           "version id", {"VERSION": ["Give process_key:number or a version id"]})
    with uow:
        if found["id"]:
            version = uow.versions.get(int(found["id"]))
        else:
            version = next((v for v in uow.versions.for_process(found["key"]) if v.number == int(found["number"])),
                           None)
        if version is None:
            raise NotFound(f"no process version {ref}")
        bundle = bundle_from_files({name: text.encode("utf-8") for name, text in version.files.items()})
        return bundle, {"id": version.id, "process_key": version.process_key, "number": version.number,
                        "state": version.state, "sha256": version.sha256}


def record_export(uow: UnitOfWork, version: dict[str, Any], actor: Actor = SYSTEM) -> None:
    """Note in the version's history that it was written out as a bundle folder."""
    with uow:
        uow.events.append(None, "version_exported", actor.username, uow.clock_now(), version_id=version["id"],
                          data={"process": version["process_key"], "number": version["number"],
                                "sha256": version["sha256"], "to": "folder"})
        uow.commit()
