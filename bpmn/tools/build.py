"""Writes the group-policy diagrams and the eligibility table into bpmn/. Run: python bpmn/tools/build.py"""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import eligibility_table  # noqa: E402
import group_lifecycle  # noqa: E402
import group_stages  # noqa: E402
import shared_casework  # noqa: E402
import shared_intake  # noqa: E402

DIAGRAMS = {
    "shared/intake.bpmn": shared_intake.intake,
    "shared/written_consent.bpmn": shared_intake.written_consent,
    "shared/investigation.bpmn": shared_casework.investigation,
    "shared/non_cooperation.bpmn": shared_casework.non_cooperation,
    "shared/unacceptable_behaviour.bpmn": shared_casework.unacceptable_behaviour,
    "shared/hr_referral.bpmn": shared_casework.hr_referral,
    "shared/learning_plan.bpmn": shared_casework.learning_plan,
    "shared/learning_reviews.bpmn": shared_casework.learning_reviews,
    "shared/learning_review.bpmn": shared_casework.learning_review,
    "group_complaint/group_complaint.bpmn": group_lifecycle.group_complaint,
    "group_complaint/complaint_handling.bpmn": group_lifecycle.complaint_handling,
    "group_complaint/formal_and_appeal.bpmn": group_lifecycle.formal_and_appeal,
    "group_complaint/informal_stage.bpmn": group_stages.informal_stage,
    "group_complaint/formal_stage.bpmn": group_stages.formal_stage,
    "group_complaint/appeal_stage.bpmn": group_stages.appeal_stage,
}


def outputs() -> dict[str, bytes]:
    """Every generated file, by its path under bpmn/."""
    files = {path: build().to_xml() for path, build in DIAGRAMS.items()}
    files["shared/eligibility.dmn"] = eligibility_table.to_xml()
    return files


def main() -> None:
    for path, content in outputs().items():
        target = HERE.parent / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        print(f"wrote bpmn/{path}")


if __name__ == "__main__":
    main()
