"""Bad bundles are refused with a clear message, and no version row changes."""
import io
import json
import zipfile

import pytest

from processes.bundle import MAX_FILE_BYTES, bundle_from_directory
from processes.errors import BundleInvalid
from processes.governance import import_bundle, save_version_draft, submit_version
from tests.governance_support import DEMO, PROCESS, add_user, demo_text, use_demo_process, version_rows

XXE = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       + demo_text().split("?>", 1)[1].replace('name="Demo complaint"', 'name="&x;"', 1))
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                    for i in range(1, 10))
          + ']><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol9;</bpmn:definitions>')
UNREACHABLE = demo_text().replace('<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="acknowledge" />', "")
SEMANTIC = {
    "unknown operator": ({"demo.bpmn": demo_text().replace('id="send_letter"', 'id="send_pigeon"')},
                         "acknowledge", "names unknown operator 'send_pigeon'"),
    "missing form": ({"forms/triage.json": None}, "triage", "file 'forms/triage.json' is not in the bundle"),
    "invalid JSON Schema": ({"forms/triage.json": json.dumps({"type": "nonsense"})}, "triage",
                            "form forms/triage.json is not valid JSON Schema"),
    "unreachable element": ({"demo.bpmn": UNREACHABLE}, "acknowledge",
                            "'Send acknowledgement' cannot be reached from a start event"),
}
UNSAFE = {
    "XXE": ({"demo.bpmn": XXE}, "DOCTYPE and entity declarations are not allowed"),
    "billion laughs": ({"demo.bpmn": LAUGHS}, "DOCTYPE and entity declarations are not allowed"),
    "oversized file": ({"big.bpmn": "<x/>" + " " * MAX_FILE_BYTES}, "big.bpmn is larger than 2 MB"),
}


@pytest.fixture
def analyst(container):
    use_demo_process(container)
    return add_user(container, "ana", "process_analyst")


def archive(changes: dict) -> bytes:
    files = {name: content.decode() for name, content in bundle_from_directory(DEMO).files.items()}
    files.update(changes)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, text in files.items():
            if text is not None:
                zipped.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize("case", [*UNSAFE, *SEMANTIC])
def test_importing_a_bad_bundle_is_refused_with_a_clear_message_and_changes_no_version(container, analyst, case):
    changes, expected = (UNSAFE[case] if case in UNSAFE else (SEMANTIC[case][0], SEMANTIC[case][2]))
    before = version_rows(container)
    with pytest.raises(BundleInvalid) as error:
        import_bundle(container.uow(), container.runtime, archive(changes), analyst)
    assert any(expected in p["message"] for p in error.value.problems), error.value.problems
    assert version_rows(container) == before


@pytest.mark.parametrize("case", list(UNSAFE))
def test_saving_an_unsafe_bundle_from_the_modeler_stores_nothing(container, analyst, case):
    changes, expected = UNSAFE[case]
    before = version_rows(container)
    with pytest.raises(BundleInvalid, match=expected):
        save_version_draft(container.uow(), container.runtime, PROCESS, changes, analyst)
    assert version_rows(container) == before


@pytest.mark.parametrize("case", list(SEMANTIC))
def test_a_draft_with_a_semantic_problem_reports_it_against_its_element_and_cannot_be_submitted(container, analyst,
                                                                                                  case):
    changes, element, expected = SEMANTIC[case]
    saved = save_version_draft(container.uow(), container.runtime, PROCESS, changes, analyst)
    assert any(p.get("element") == element and expected in p["message"] for p in saved.problems), saved.problems
    before = version_rows(container)
    with pytest.raises(BundleInvalid):
        submit_version(container.uow(), container.runtime, saved.version_id, analyst, "please")
    assert version_rows(container) == before


def test_an_upload_that_is_not_a_zip_is_refused(container, analyst):
    with pytest.raises(BundleInvalid, match="not a zip archive"):
        import_bundle(container.uow(), container.runtime, b"<bpmn/>", analyst)


def test_a_zip_bomb_is_refused_before_it_is_inflated(container, analyst):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("bundle.json", json.dumps({"process_key": PROCESS, "entry_process": PROCESS}))
        zipped.writestr("huge.bpmn", b"\0" * (50 * 1024 * 1024))
    before = version_rows(container)
    with pytest.raises(BundleInvalid, match="at most 8 MB"):
        import_bundle(container.uow(), container.runtime, buffer.getvalue(), analyst)
    assert version_rows(container) == before
