"""`complaints export VERSION DIR`: a version written back as the bundle folder `complaints deploy DIR` reads."""
import shutil
from pathlib import Path

import pytest

import cli
from processes.bundle import bundle_from_directory
from processes.governance import save_version_draft
from tests.governance_support import add_user, demo_text, use_demo_process

ROOT = Path(__file__).resolve().parents[2]
# bundles built on a base (a division's process) after the bases they need beside them
SHIPPED = sorted((p.parent.name for p in (ROOT / "bpmn").glob("*/bundle.json")),
                 key=lambda name: ('"base"' in (ROOT / "bpmn" / name / "bundle.json").read_text(), name))


def versions(container, process_key):
    with container.uow() as uow:
        return [(v.id, v.number, v.state, v.sha256) for v in uow.versions.for_process(process_key)]


def events(container, version_id):
    with container.uow() as uow:
        return [(e.kind, e.data) for e in uow.events.for_version(version_id)]


@pytest.mark.parametrize("folder", SHIPPED)
def test_a_shipped_version_exports_to_exactly_its_files_and_deploys_again(container, tmp_path, folder, capsys):
    manifest = bundle_from_directory(ROOT / "bpmn" / folder).manifest
    [(version_id, _, _, sha256)] = versions(container, manifest["process_key"])
    target = tmp_path / "bpmn" / folder
    if manifest.get("base"):  # written beside its base, as in bpmn/: only what differs from the base
        base_manifest = bundle_from_directory(ROOT / "bpmn" / manifest["base"]).manifest
        cli.export(container, f"{base_manifest['process_key']}:1", tmp_path / "bpmn" / manifest["base"])
        capsys.readouterr()
    cli.export(container, f"{manifest['process_key']}:1", target)
    assert f"to {target}" in capsys.readouterr().out
    for include in manifest.get("include", []):  # an included folder is written beside the bundle, as in bpmn/
        assert sorted(p.name for p in (tmp_path / "bpmn" / include).rglob("*.bpmn")) == sorted(
            p.name for p in (ROOT / "bpmn" / include).rglob("*.bpmn"))
    exported = bundle_from_directory(target)
    assert exported.sha256 == sha256 == bundle_from_directory(ROOT / "bpmn" / folder).sha256
    assert sorted(p.name for p in target.rglob("*") if p.is_file()) == sorted(
        p.name for p in (ROOT / "bpmn" / folder).rglob("*") if p.is_file())
    assert ("version_exported", {"process": manifest["process_key"], "number": 1, "sha256": sha256,
                                 "to": "folder"}) in events(container, version_id)
    cli.deploy_draft(container.uow(), container.runtime, exported, cli.SYSTEM, "round trip")
    assert versions(container, manifest["process_key"])[-1][1:] == (2, "draft", sha256)


def test_a_draft_exports_by_version_id_over_its_old_folder_and_stale_files_go(container, tmp_path):
    use_demo_process(container)
    analyst = add_user(container, "ana", "process_analyst")
    changed = demo_text().replace('name="Triage deadline"', 'name="First look deadline"')
    saved = save_version_draft(container.uow(), container.runtime, "demo_complaint", {"demo.bpmn": changed}, analyst)
    target = tmp_path / "demo"
    shutil.copytree(ROOT / "bpmn" / "demo", target)
    (target / "forms" / "left_over.json").write_text("{}")
    cli.export(container, str(saved.version_id), target)
    assert not (target / "forms" / "left_over.json").exists()
    assert 'name="First look deadline"' in (target / "demo.bpmn").read_text()
    assert bundle_from_directory(target).sha256 == versions(container, "demo_complaint")[-1][3]


def test_a_process_built_on_a_base_is_refused_away_from_its_base(container, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COMPLAINTS_DATABASE_URL", container.settings.database_url)
    monkeypatch.setenv("COMPLAINTS_CLOCK", "demo")
    assert cli.main(["export", "ia_complaint:1", str(tmp_path / "out" / "ia_complaint")]) == 2
    assert "is built on 'group_complaint': export it beside that bundle folder" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_folder_of_another_process_or_of_other_files_is_refused_and_left_alone(container, tmp_path, monkeypatch,
                                                                                  capsys):
    work = tmp_path / "work"  # the database lives in tmp_path itself
    other = work / "compliment"
    shutil.copytree(ROOT / "bpmn" / "compliment", other)
    loose = work / "notes"
    loose.mkdir()
    (loose / "todo.txt").write_text("keep me")
    before = {p: p.read_bytes() for p in work.rglob("*") if p.is_file()}
    monkeypatch.setenv("COMPLAINTS_DATABASE_URL", container.settings.database_url)
    monkeypatch.setenv("COMPLAINTS_CLOCK", "demo")
    assert cli.main(["export", "demo_complaint:1", str(other)]) == 2
    assert "holds the bundle of process 'compliment', not 'demo_complaint'" in capsys.readouterr().err
    assert cli.main(["export", "demo_complaint:1", str(loose)]) == 2
    assert "is not empty and is not a bundle folder" in capsys.readouterr().err
    (work / "shared").mkdir()
    (work / "shared" / "mine.bpmn").write_text("not the product's")
    before[work / "shared" / "mine.bpmn"] = b"not the product's"
    assert cli.main(["export", "group_complaint:1", str(work / "group_complaint")]) == 2
    assert "already exists beside the new bundle folder" in capsys.readouterr().err
    assert not (work / "group_complaint").exists()
    assert {p: p.read_bytes() for p in work.rglob("*") if p.is_file()} == before
    for key in ("demo_complaint", "group_complaint"):
        [(version_id, *_)] = versions(container, key)
        assert not [kind for kind, _ in events(container, version_id) if kind == "version_exported"]


@pytest.mark.parametrize("ref, message", [
    ("demo_complaint", "names no version: give process_key:number"),
    ("demo_complaint:x", "names no version"),
    ("../etc:1", "names no version"),
    ("demo_complaint:9", "no process version demo_complaint:9"),
    ("99999", "no process version 99999"),
])
def test_a_version_that_is_not_named_properly_gets_a_clear_error(container, tmp_path, monkeypatch, capsys, ref,
                                                                  message):
    monkeypatch.setenv("COMPLAINTS_DATABASE_URL", container.settings.database_url)
    monkeypatch.setenv("COMPLAINTS_CLOCK", "demo")
    assert cli.main(["export", ref, str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
