import json
from pathlib import Path

import pytest

from handlers import build_registry
from processes.bundle import MAX_FILE_BYTES, bundle_from_directory, bundle_from_files
from processes.errors import BundleInvalid
from processes.validation import require_valid, validate_bundle

DEMO = Path(__file__).resolve().parents[2] / "bpmn" / "demo"


def demo_files(**replace) -> dict[str, bytes]:
    files = dict(bundle_from_directory(DEMO).files)
    files.update({k: v.encode() if isinstance(v, str) else v for k, v in replace.items()})
    return files


def demo_xml() -> str:
    return (DEMO / "demo.bpmn").read_text()


def problems_of(files) -> list[str]:
    _, problems = validate_bundle(bundle_from_files(files), build_registry())
    return [p["message"] for p in problems]


def test_the_demo_bundle_is_valid():
    assert problems_of(demo_files()) == []


def test_bundle_hash_is_stable_and_changes_with_content():
    assert bundle_from_files(demo_files()).sha256 == bundle_from_files(demo_files()).sha256
    changed = demo_files(**{"forms/triage.json": '{"type": "object"}'})
    assert bundle_from_files(changed).sha256 != bundle_from_files(demo_files()).sha256


def test_malformed_xml_is_refused_with_the_file_name():
    messages = problems_of(demo_files(**{"demo.bpmn": "<bpmn:definitions"}))
    assert any("demo.bpmn is not well-formed XML" in m for m in messages)


def test_external_entities_are_refused():
    xxe = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + demo_xml().split("?>", 1)[1]
    messages = problems_of(demo_files(**{"demo.bpmn": xxe}))
    assert any("DOCTYPE and entity declarations are not allowed" in m for m in messages)


def test_entity_expansion_bombs_are_refused():
    lol = ('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
           '<l>&b;</l>')
    assert any("not allowed" in m for m in problems_of(demo_files(**{"demo.bpmn": lol})))


def test_unknown_service_operator_is_reported_against_its_element():
    xml = demo_xml().replace('serviceTaskOperator id="send_letter"', 'serviceTaskOperator id="send_pigeon"')
    _, problems = validate_bundle(bundle_from_files(demo_files(**{"demo.bpmn": xml})), build_registry())
    assert {"element": "acknowledge", "name": "Send acknowledgement",
            "message": "service task 'Send acknowledgement' names unknown operator 'send_pigeon'"} in problems


def test_unquoted_iso_duration_in_a_timer_is_caught():
    xml = demo_xml().replace("working_days_after(received_at, 5)", "P10D")
    assert any("unquoted ISO 8601 duration" in m for m in problems_of(demo_files(**{"demo.bpmn": xml})))


def test_timer_expression_that_does_not_give_a_date_is_caught():
    xml = demo_xml().replace("working_days_after(received_at, 5)", "1 + 1")
    assert any("not a date and time" in m for m in problems_of(demo_files(**{"demo.bpmn": xml})))


def test_missing_form_is_reported():
    files = demo_files()
    del files["forms/triage.json"]
    assert any("forms/triage.json" in m for m in problems_of(files))


def test_invalid_json_schema_form_is_reported():
    messages = problems_of(demo_files(**{"forms/triage.json": '{"type": "nonsense"}'}))
    assert any("not valid JSON Schema" in m for m in messages)


def test_unknown_lane_is_reported():
    xml = demo_xml().replace('name="Complaints team"', 'name="Tea room"')
    assert any("not a known role" in m for m in problems_of(demo_files(**{"demo.bpmn": xml})))


def test_unreachable_element_is_reported():
    xml = demo_xml().replace('<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="acknowledge" />', "")
    assert any("'Send acknowledgement' cannot be reached" in m for m in problems_of(demo_files(**{"demo.bpmn": xml})))


def test_oversized_files_are_refused_before_parsing():
    with pytest.raises(BundleInvalid, match="larger than"):
        bundle_from_files(demo_files(**{"big.bpmn": b"x" * (MAX_FILE_BYTES + 1)}))


def test_require_valid_lists_every_problem():
    xml = demo_xml().replace('serviceTaskOperator id="send_letter"', 'serviceTaskOperator id="nope"').replace(
        'name="Complaints team"', 'name="Tea room"')
    with pytest.raises(BundleInvalid) as error:
        require_valid(bundle_from_files(demo_files(**{"demo.bpmn": xml})), build_registry())
    assert len(error.value.problems) >= 2


def _folder(root, name, manifest, files=None):
    folder = root / name
    folder.mkdir()
    (folder / "bundle.json").write_text(json.dumps(manifest))
    for path, text in (files or {}).items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text)
    return folder


def test_a_bundle_folder_takes_its_base_bundles_files_and_its_own_replace_them(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "common.bpmn").write_text("<shared/>")
    _folder(tmp_path, "base", {"process_key": "base", "entry_process": "p", "include": ["shared"]},
            {"p.bpmn": "<base/>", "forms/a.json": "{}"})
    own = _folder(tmp_path, "mine", {"process_key": "mine", "entry_process": "p", "base": "base"},
                  {"forms/a.json": '{"title": "mine"}'})
    bundle = bundle_from_directory(own)
    assert bundle.process_key == "mine" and sorted(bundle.files) == [
        "bundle.json", "forms/a.json", "p.bpmn", "shared/common.bpmn"]
    assert bundle.files["forms/a.json"] == b'{"title": "mine"}' and bundle.files["p.bpmn"] == b"<base/>"


@pytest.mark.parametrize("base", ["../base", "nowhere", "/etc", ".hidden", "a/b"])
def test_a_base_outside_the_bundle_folders_or_missing_is_refused_clearly(tmp_path, base):
    own = _folder(tmp_path, "mine", {"process_key": "mine", "entry_process": "p", "base": base})
    with pytest.raises(BundleInvalid) as refused:
        bundle_from_directory(own)
    assert refused.value.problems[0]["file"] == "bundle.json" and "base" in refused.value.problems[0]["message"]


def test_a_base_that_names_itself_stops_instead_of_looping(tmp_path):
    own = _folder(tmp_path, "loop", {"process_key": "loop", "entry_process": "p", "base": "loop"})
    with pytest.raises(BundleInvalid, match="deep"):
        bundle_from_directory(own)
