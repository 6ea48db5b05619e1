"""The public confirmation's timescales come from the division's published process, not from the page."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from processes.public_status import promised_days

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


class FakeUow:
    def __init__(self, files):
        self.divisions = SimpleNamespace(by_code=lambda code: SimpleNamespace(
            config={"processes": {"complaint": "key"}}))
        self.versions = SimpleNamespace(published=lambda key: SimpleNamespace(files=files))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _bundle(*folders):
    return {f"{p.parent.name}/{p.name}": p.read_text() for folder in folders for p in (BPMN / folder).glob("*.bpmn")}


def test_the_shipped_group_and_training_processes_promise_3_and_5_working_days_to_acknowledge():
    assert promised_days(FakeUow(_bundle("group_complaint", "shared")), "IA") == {"acknowledgement": 3,
                                                                                    "response": 20}
    assert promised_days(FakeUow(_bundle("training_complaint")), "ST") == {"acknowledgement": 5, "response": 20}


def test_a_published_change_to_the_acknowledgement_timer_changes_the_promise():
    files = _bundle("training_complaint")
    key = next(k for k in files if k.endswith("training_complaint.bpmn"))
    files[key] = files[key].replace("working_days_after(complaint_received_at, 5)",
                                    "working_days_after(complaint_received_at, 4)")
    assert promised_days(FakeUow(files), "ST")["acknowledgement"] == 4


def test_a_division_without_a_published_process_promises_nothing():
    uow = FakeUow({})
    uow.versions = SimpleNamespace(published=lambda key: None)
    assert promised_days(uow, "ST") == {}
