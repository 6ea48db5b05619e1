"""Version governance: drafts, submission, four-eyes review, publication, and bundle archives."""
from __future__ import annotations

from dataclasses import dataclass

from .access import Actor
from .bundle import Bundle, bundle_from_files, parse_xml_safely
from .bundle_archive import bundle_from_zip, bundle_to_zip
from .case_run import Runtime
from .errors import BundleInvalid, Conflict, Forbidden, InvalidInput, NotFound
from .policy_review import blocking, division_policy_problems, policy_record, require_justified, unjustified
from .process_scope import process_owners
from .validation import refused_by_sandbox, validate_bundle
from .vocabulary import Role, VersionState

ANALYST, GOVERNANCE = Role.PROCESS_ANALYST, Role.GOVERNANCE
CONTRIBUTING = {"version_drafted", "version_saved", "version_imported", "version_submitted"}


@dataclass(frozen=True)
class SavedDraft:
    """The draft a save produced, and what validation found in it."""

    version_id: int
    number: int
    created: bool
    problems: list[dict]


def save_version_draft(uow, runtime: Runtime, process_key: str, changes: dict[str, str | None], actor: Actor, *,
               base_version_id: int | None = None, change_note: str | None = None,
               expected_sha256: str | None = None) -> SavedDraft:
    """Save changed files as a draft: the base draft is updated, any other base gets a new draft.

    `expected_sha256` is the hash the editor started from; a draft saved by someone else since is not overwritten.
    """
    _require(actor, ANALYST, "edit process diagrams")
    with uow:
        process_owners(uow).require(actor, ANALYST, process_key, "edit its diagrams")
        base = uow.versions.get(base_version_id) if base_version_id else _latest(uow, process_key)
        if base is None or base.process_key != process_key:
            raise NotFound(f"no version of process {process_key!r} to start from")
        if base.state == VersionState.DRAFT and expected_sha256 and base.sha256 != expected_sha256:
            raise Conflict(f"draft version {base.number} was saved by someone else after you opened it; "
                           "copy your change, reload the draft and apply it again")
        files = {name: text for name, text in {**base.files, **changes}.items() if text is not None}
        bundle = _safe_bundle(files, process_key)
        definition, problems = validate_bundle(bundle, runtime.services)
        if refused_by_sandbox(problems):
            raise BundleInvalid(problems)  # code that tries to escape or exhaust the sandbox is not kept at all
        now = runtime.clock.now()
        if base.state == VersionState.DRAFT:
            version, created = base, False
            version.files, version.sha256, version.updated_at = _text(bundle), bundle.sha256, now
            version.title = bundle.manifest.get("title", version.title)
            if change_note is not None:
                version.change_note = change_note
        else:
            version, created = _new_draft(uow, bundle, actor, now, change_note or ""), True
        version.validation, version.policy_check = problems, policy_record(bundle, problems)
        if definition is not None and not blocking(problems):
            uow.versions.store_spec(bundle.sha256, definition.to_json())
        _log(uow, "version_drafted" if created else "version_saved", actor, now, version,
             based_on=base.number, files=sorted(changes), problems=len(problems))
        uow.commit()
        return SavedDraft(version.id, version.number, created, problems)


def import_bundle(uow, runtime: Runtime, archive: bytes, actor: Actor, change_note: str = "") -> SavedDraft:
    """Create a draft from an exported zip; anything unsafe, altered or invalid is refused whole."""
    _require(actor, ANALYST, "import process bundles")
    bundle = bundle_from_zip(archive)
    _safe_bundle(_text(bundle), bundle.process_key)
    definition, problems = validate_bundle(bundle, runtime.services)
    if blocking(problems) or definition is None:
        raise BundleInvalid(blocking(problems))
    with uow:
        process_owners(uow).require(actor, ANALYST, bundle.process_key, "import a version of it")
        now = runtime.clock.now()
        version = _new_draft(uow, bundle, actor, now, change_note or f"Imported bundle {bundle.sha256[:12]}")
        version.validation, version.policy_check = problems, policy_record(bundle, problems)
        uow.versions.store_spec(bundle.sha256, definition.to_json())
        _log(uow, "version_imported", actor, now, version, sha256=bundle.sha256)
        uow.commit()
        return SavedDraft(version.id, version.number, True, [])


def export_bundle(uow, version_id: int, actor: Actor) -> tuple[str, bytes, str]:
    """A version's bundle as a zip that records its hash: (file name, bytes, sha256)."""
    _require(actor, (ANALYST, GOVERNANCE), "export process bundles")
    with uow:
        version = _version(uow, version_id)
        process_owners(uow).require(actor, (ANALYST, GOVERNANCE), version.process_key, "export its versions")
        bundle = bundle_from_files({name: text.encode() for name, text in version.files.items()})
        _log(uow, "version_exported", actor, uow.clock_now(), version)
        uow.commit()
        filename = f"{version.process_key}-v{version.number}-{version.sha256[:12]}.zip"
        return filename, bundle_to_zip(bundle), version.sha256


def submit_version(uow, runtime: Runtime, version_id: int, actor: Actor, change_note: str | None = None,
                   justifications: dict[str, str] | None = None) -> None:
    """Send a draft for review: it must validate, each policy breach justified; it is immutable from then on."""
    _require(actor, ANALYST, "submit versions")
    with uow:
        version = _version(uow, version_id)
        process_owners(uow).require(actor, ANALYST, version.process_key, "submit its drafts")
        if version.state != VersionState.DRAFT:
            raise Conflict(f"version {version.number} is {_label(version.state)}; only a draft can be submitted")
        note = (version.change_note if change_note is None else change_note).strip()
        if not note:
            raise InvalidInput("say what changed and why before submitting", {"change_note": ["Enter a change note"]})
        bundle = _bundle_of(version)
        definition, problems = validate_bundle(bundle, runtime.services)
        problems += division_policy_problems(bundle, uow.divisions.all())
        if blocking(problems) or definition is None:
            raise BundleInvalid(blocking(problems))
        record = policy_record(bundle, problems, justifications)
        require_justified(record)
        now = runtime.clock.now()
        version.state, version.submitted_at, version.updated_at = VersionState.IN_REVIEW, now, now
        version.change_note, version.validation, version.policy_check = note, [], record
        uow.versions.store_spec(version.sha256, definition.to_json())
        _log(uow, "version_submitted", actor, now, version, change_note=note,
             policy_rules=(record or {}).get("sha256"),
             policy_breaches=[{"clause": b["clause"], "element": b.get("element"), "justification": b["justification"]}
                              for b in (record or {}).get("breaches", [])])
        uow.commit()


def approve_version(uow, version_id: int, actor: Actor, note: str) -> None:
    """Approve a version in review; nobody who wrote or edited it may do so (four eyes)."""
    _review(uow, version_id, actor, note, approve=True)


def reject_version(uow, version_id: int, actor: Actor, note: str) -> None:
    """Send a version in review back as rejected, saying why."""
    _review(uow, version_id, actor, note, approve=False)


def publish_version(uow, runtime: Runtime, version_id: int, actor: Actor) -> int | None:
    """Make an approved version the one new cases start on; the one it replaces is retired."""
    _require(actor, GOVERNANCE, "publish versions")
    with uow:
        version = _version(uow, version_id)
        process_owners(uow).require(actor, GOVERNANCE, version.process_key, "publish its versions")
        if version.state != VersionState.IN_REVIEW or version.reviewer_id is None:
            raise Conflict(f"version {version.number} must be approved in review before it is published")
        definition, problems = validate_bundle(_bundle_of(version), runtime.services)
        problems += division_policy_problems(_bundle_of(version), uow.divisions.all())
        refused = blocking(problems) + unjustified(version.policy_check, problems)
        if refused or definition is None:
            raise BundleInvalid(refused)
        now = runtime.clock.now()
        previous = uow.versions.published(version.process_key)
        if previous is not None:
            previous.state, previous.retired_at = VersionState.RETIRED, now
            _log(uow, "version_retired", actor, now, previous, replaced_by=version.number)
        version.state, version.published_at = VersionState.PUBLISHED, now
        uow.versions.store_spec(version.sha256, definition.to_json())
        _log(uow, "version_published", actor, now, version, replaces=previous.number if previous else None)
        uow.commit()
        return previous.id if previous else None


@dataclass(frozen=True)
class Proposed:
    """What carrying one change to other divisions' processes did: a draft per process, or why not."""

    drafts: dict[str, SavedDraft]
    refused: dict[str, str]


def propose_change_to(uow, runtime: Runtime, version_id: int, process_keys: list[str], actor: Actor,
                      change_note: str = "") -> Proposed:
    """Carry the files a version changed (against the version in force before it) to other processes, as a new
    draft of each, so that a change meant for several divisions is made once.

    Each draft is then reviewed and published by governance of its own division (or group-wide), so every
    division still decides what its cases run on; the analyst must be allowed to edit every process named. A
    process whose copy of a changed file differs from the source's starting point is refused rather than
    overwritten (its own change would be lost).
    """
    _require(actor, ANALYST, "edit process diagrams")
    with uow:
        owners = process_owners(uow)
        source = _version(uow, version_id)
        owners.require(actor, ANALYST, source.process_key, "carry its changes elsewhere")
        for key in process_keys:
            owners.require(actor, ANALYST, key, "edit its diagrams")
        starting = _starting_point(uow, source)
        changed = {name: text for name, text in source.files.items()
                   if name != "bundle.json" and (starting is None or starting.files.get(name) != text)}
        removed = [name for name in (starting.files if starting else {}) if name not in source.files]
        start_files = dict(starting.files) if starting is not None else None
        source_key, source_number, source_note = source.process_key, source.number, source.change_note
        targets: dict[str, tuple[int, dict[str, str]] | None] = {}
        for key in dict.fromkeys(process_keys):
            if key != source_key:
                latest = _latest(uow, key)
                targets[key] = (latest.id, dict(latest.files)) if latest is not None else None
    if not changed and not removed:
        raise InvalidInput(f"version {source_number} changes nothing against the version in force",
                           {"process": ["There is no change to carry"]})
    note = (change_note or source_note or "").strip() or f"Same change as {source_key} v{source_number}"
    drafts, refused = {}, {}
    for key, target in targets.items():
        if target is None:
            refused[key] = f"{key} has no version to start from"
            continue
        target_id, target_files = target
        diverged = sorted(name for name in [*changed, *removed]
                          if (start_files or {}).get(name) != target_files.get(name))
        if diverged:
            refused[key] = f"{key} has its own {', '.join(diverged)}; make the change there by hand"
            continue
        carried: dict[str, str | None] = {**changed, **{name: None for name in removed}}
        drafts[key] = save_version_draft(uow, runtime, key, carried, actor, base_version_id=target_id,
                                         change_note=note)
    return Proposed(drafts, refused)


def _starting_point(uow, version):
    """The version in force when this one was drafted: the published one, or the one a published one replaced."""
    published = uow.versions.published(version.process_key)
    if published is not None and published.id != version.id and published.number < version.number:
        return published
    earlier = [v for v in uow.versions.for_process(version.process_key) if v.number < version.number
               and v.state in (VersionState.PUBLISHED, VersionState.RETIRED)]
    return earlier[-1] if earlier else None


def contributors(uow, version) -> set[str]:
    """Usernames of everyone who wrote, edited, imported or submitted a version."""
    return {e.actor for e in uow.events.for_version(version.id) if e.kind in CONTRIBUTING}


def _review(uow, version_id: int, actor: Actor, note: str, approve: bool) -> None:
    _require(actor, GOVERNANCE, "review versions")
    with uow:
        version = _version(uow, version_id)
        process_owners(uow).require(actor, GOVERNANCE, version.process_key, "review its versions")
        if version.state != VersionState.IN_REVIEW or version.reviewer_id is not None:
            raise Conflict(f"version {version.number} is not waiting for a review decision")
        if version.author_id == actor.user_id or actor.username in contributors(uow, version):
            raise Forbidden(f"you wrote or edited version {version.number}, so another member of governance "
                            "must review it (four eyes)")
        if not (note or "").strip():
            raise InvalidInput("give a review note", {"review_note": ["Enter a note saying why"]})
        now = uow.clock_now()
        version.reviewer_id, version.review_note, version.reviewed_at = actor.user_id, note.strip(), now
        if not approve:
            version.state = "rejected"
        _log(uow, "version_approved" if approve else "version_rejected", actor, now, version, note=note.strip())
        uow.commit()


def _safe_bundle(files: dict[str, str], process_key: str) -> Bundle:
    """A bundle whose limits, manifest and XML safety hold; otherwise nothing is stored."""
    bundle = bundle_from_files({name: text.encode() for name, text in files.items()})
    for name, content in bundle.xml_files().items():
        parse_xml_safely(name, content)
    if bundle.process_key != process_key:
        raise BundleInvalid([{"file": "bundle.json", "message": f"bundle.json names process {bundle.process_key!r}, "
                                                                f"not {process_key!r}"}])
    return bundle


def _new_draft(uow, bundle: Bundle, actor: Actor, now, change_note: str):
    return uow.versions.add(process_key=bundle.process_key, number=uow.versions.next_number(bundle.process_key),
                            title=bundle.manifest.get("title", bundle.process_key), state=VersionState.DRAFT,
                            sha256=bundle.sha256, files=_text(bundle), author_id=actor.user_id,
                            change_note=change_note, validation=[], created_at=now, updated_at=now)


def _latest(uow, process_key: str):
    versions = uow.versions.for_process(process_key)
    return uow.versions.published(process_key) or (versions[-1] if versions else None)


def _version(uow, version_id: int):
    version = uow.versions.get(version_id)
    if version is None:
        raise NotFound(f"no process version {version_id}")
    return version


def _bundle_of(version) -> Bundle:
    return bundle_from_files({name: text.encode() for name, text in version.files.items()})


def _text(bundle: Bundle) -> dict[str, str]:
    try:
        return {name: content.decode("utf-8") for name, content in bundle.files.items()}
    except UnicodeDecodeError as exc:
        raise BundleInvalid([{"message": f"every bundle file must be UTF-8 text ({exc.reason})"}]) from None


def _label(state: str) -> str:
    return state.replace("_", " ")


def _require(actor: Actor, roles, doing: str) -> None:
    roles = (roles,) if isinstance(roles, str) else roles
    if actor.is_system or not actor.has_any_role(*roles):
        raise Forbidden(f"only {' or '.join(r.replace('_', ' ') for r in roles)} staff may {doing}")


def _log(uow, kind: str, actor: Actor, now, version, **data) -> None:
    """Append to the audit log, naming the divisions that run the process at that moment."""
    uow.events.append(None, kind, actor.username, now, version_id=version.id,
                      data={"process": version.process_key, "number": version.number, "sha256": version.sha256,
                            "divisions": process_owners(uow).codes(version.process_key), **data})
