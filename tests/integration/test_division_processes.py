"""Each division versions, publishes and migrates its own process; one change can be proposed to several."""
from __future__ import annotations

import pytest

from processes.errors import Forbidden
from processes.governance import (
    approve_version,
    propose_change_to,
    publish_version,
    save_version_draft,
    submit_version,
)
from processes.lifecycle import start_case
from processes.migration import migrate_cases, preview_migration
from tests.governance_support import add_user, published_id, version_rows

TIMER = "working_days_after(complaint_received_at, 3)"
FIVE = TIMER.replace("3)", "5)")
INTAKE = "shared/intake.bpmn"


def intake(container, version_id: int) -> str:
    with container.uow() as uow:
        return uow.versions.get(version_id).files[INTAKE]


@pytest.fixture
def group_analyst(container):
    """An analyst of all three group-policy divisions (not group-wide)."""
    actor = add_user(container, "gwen", "process_analyst", division="IA")
    with container.uow() as uow:
        for code in ("EUK", "PL"):
            uow.users.add_membership(actor.user_id, uow.divisions.by_code(code).id, "process_analyst")
        uow.commit()
    from processes.accounts import load_actor
    return load_actor(container.uow(), actor.user_id)


def test_each_group_division_starts_on_its_own_process_with_the_same_lifecycle(container):
    runs = {}
    for code in ("IA", "EUK", "PL"):
        reference = start_case(container.uow(), container.runtime, division=code, kind="complaint")
        concern = start_case(container.uow(), container.runtime, division=code, kind="concern")
        with container.uow() as uow:
            for ref in (reference, concern):
                version = uow.versions.get(uow.cases.by_reference(ref).version_id)
                assert version.process_key == f"{code.lower()}_complaint" and version.number == 1
            runs[code] = {n: t for n, t in version.files.items() if n != "bundle.json"}
    assert runs["IA"] == runs["EUK"] == runs["PL"]


def test_one_change_is_proposed_to_the_other_group_divisions_and_each_division_publishes_its_own(
        container, group_analyst):
    ia_v1, euk_v1 = published_id(container, "ia_complaint"), published_id(container, "euk_complaint")
    changed = {INTAKE: intake(container, ia_v1).replace(TIMER, FIVE)}
    source = save_version_draft(container.uow(), container.runtime, "ia_complaint", changed, group_analyst,
                                change_note="Five working days for every group division")
    done = propose_change_to(container.uow(), container.runtime, source.version_id,
                             ["euk_complaint", "pl_complaint"], group_analyst)
    assert done.refused == {} and sorted(done.drafts) == ["euk_complaint", "pl_complaint"]
    for key, draft in done.drafts.items():
        with container.uow() as uow:
            row = uow.versions.get(draft.version_id)
            assert row.process_key == key and row.state == "draft" and FIVE in row.files[INTAKE]
            assert row.change_note == "Five working days for every group division"
            assert '"process_key": "' + key + '"' in row.files["bundle.json"]  # its own manifest kept
    euk_draft = done.drafts["euk_complaint"].version_id
    submit_version(container.uow(), container.runtime, euk_draft, group_analyst)
    euk_case = start_case(container.uow(), container.runtime, division="EUK", kind="complaint")
    ia_case = start_case(container.uow(), container.runtime, division="IA", kind="complaint")

    # IA governance may not decide for EUK; EUK governance may; nobody else's process moved.
    ia_gov = add_user(container, "iain", "governance", division="IA")
    euk_gov = add_user(container, "erin", "governance", division="EUK")
    before = version_rows(container)
    with pytest.raises(Forbidden, match="Employability UK"):
        approve_version(container.uow(), euk_draft, ia_gov, "fine")
    assert version_rows(container) == before
    approve_version(container.uow(), euk_draft, euk_gov, "fine for EUK")
    publish_version(container.uow(), container.runtime, euk_draft, euk_gov)
    assert published_id(container, "euk_complaint") == euk_draft != euk_v1
    assert published_id(container, "ia_complaint") == ia_v1 and TIMER in intake(container, ia_v1)
    with container.uow() as uow:
        published = [e for e in uow.events.for_version(euk_draft) if e.kind == "version_published"]
        assert published[0].data["divisions"] == ["EUK"]

    # EUK migrates its own running cases; IA's case is neither offered nor moved.
    previews = preview_migration(container.uow(), container.runtime, euk_draft, euk_gov)
    assert [p.reference for p in previews] == [euk_case]
    result = migrate_cases(container.uow(), container.runtime, euk_draft, [euk_case, ia_case], euk_gov)
    assert result.migrated == [euk_case] and list(result.refused) == [ia_case]
    with container.uow() as uow:
        assert uow.cases.by_reference(euk_case).version_id == euk_draft
        assert uow.cases.by_reference(ia_case).version_id == ia_v1


def test_a_division_analyst_cannot_propose_to_another_division_and_nothing_is_created(container):
    ia_ana = add_user(container, "ian", "process_analyst", division="IA")
    changed = {INTAKE: intake(container, published_id(container, "ia_complaint")).replace(TIMER, FIVE)}
    source = save_version_draft(container.uow(), container.runtime, "ia_complaint", changed, ia_ana)
    before = version_rows(container)
    with pytest.raises(Forbidden, match="Employability UK"):
        propose_change_to(container.uow(), container.runtime, source.version_id, ["euk_complaint"], ia_ana)
    assert version_rows(container) == before


def test_a_process_that_changed_the_same_file_its_own_way_is_not_overwritten(container, group_analyst):
    euk_v1 = published_id(container, "euk_complaint")
    own = intake(container, euk_v1).replace(TIMER, TIMER.replace("3)", "4)"))
    euk_gov, euk_gov2 = (add_user(container, n, "governance", division="EUK") for n in ("eve", "ed"))
    draft = save_version_draft(container.uow(), container.runtime, "euk_complaint", {INTAKE: own}, group_analyst)
    submit_version(container.uow(), container.runtime, draft.version_id, group_analyst, "four days for EUK")
    approve_version(container.uow(), draft.version_id, euk_gov, "ok")
    publish_version(container.uow(), container.runtime, draft.version_id, euk_gov2)
    source = save_version_draft(container.uow(), container.runtime, "ia_complaint",
                                {INTAKE: intake(container, published_id(container, "ia_complaint"))
                                 .replace(TIMER, FIVE)}, group_analyst)
    before = version_rows(container)
    done = propose_change_to(container.uow(), container.runtime, source.version_id, ["euk_complaint"],
                             group_analyst)
    assert done.drafts == {} and "has its own shared/intake.bpmn" in done.refused["euk_complaint"]
    assert version_rows(container) == before


def test_a_division_taking_its_own_process_starts_from_the_base_version_in_force_not_the_shipped_files(container):
    """An installation that published changes to the group lifecycle keeps them when a division gets its own."""
    import json
    from pathlib import Path

    from processes.bundle import bundle_from_directory, bundle_from_files
    from processes.versions import publish_shipped
    group = add_user(container, "grp", "process_analyst", "governance", division=("IA", "EUK", "PL"))
    with container.uow() as uow:  # the group lifecycle was still what IA, EUK and Pluss ran
        for code in ("IA", "EUK", "PL"):
            division = uow.divisions.by_code(code)
            division.config = {**division.config, "processes": {**division.config["processes"],
                                                                "complaint": "group_complaint"}}
        uow.commit()
    base_v1 = published_id(container, "group_complaint")
    gov2 = add_user(container, "grp2", "governance", division=("IA", "EUK", "PL"))
    draft = save_version_draft(container.uow(), container.runtime, "group_complaint",
                               {INTAKE: intake(container, base_v1).replace(TIMER, FIVE)}, group)
    submit_version(container.uow(), container.runtime, draft.version_id, group, "five days")
    approve_version(container.uow(), draft.version_id, gov2, "ok")
    publish_version(container.uow(), container.runtime, draft.version_id, gov2)
    shipped = bundle_from_directory(Path(__file__).resolve().parents[2] / "bpmn" / "euk_complaint")
    manifest = {**json.loads(shipped.files["bundle.json"]), "process_key": "new_complaint"}
    bundle = bundle_from_files({**shipped.files, "bundle.json": json.dumps(manifest).encode()})
    version_id = publish_shipped(container.uow(), container.runtime, bundle)
    with container.uow() as uow:
        version = uow.versions.get(version_id)
        assert version.process_key == "new_complaint" and version.number == 1 and version.state == "published"
        assert FIVE in version.files[INTAKE] and "group_complaint v2" in version.change_note
        assert json.loads(version.files["bundle.json"])["process_key"] == "new_complaint"
