"""Closing forms: which tasks of the shipped diagrams ask for themes, and how their forms are extended."""
from pathlib import Path
from types import SimpleNamespace

import pytest
from jsonschema import Draft202012Validator

from handlers import build_registry
from processes.bundle import bundle_from_directory, bundle_from_files
from processes.classification import OUTCOMES
from processes.closing_forms import classification_of, classify_mode, with_team_field, with_themes
from processes.engine import parse_bundle
from processes.errors import InvalidInput
from processes.forms import validate_form
from processes.validation import validate_bundle

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
CATEGORIES = [("delay", "Delay"), ("communication", "Communication")]
INTERIM_OR_RESPOND = {  # the shape of the Training formal investigation form: outcome only when responding
    "type": "object", "properties": {"decision": {"enum": ["respond", "interim"]},
                                     "outcome": {"type": "string", "enum": ["upheld", "not_upheld"]}},
    "required": ["decision"],
    "allOf": [{"if": {"properties": {"decision": {"const": "respond"}}, "required": ["decision"]},
               "then": {"required": ["outcome"]}}]}


def closing_tasks(bundle: str) -> dict[str, str]:
    definition = parse_bundle(bundle_from_directory(BPMN / bundle))
    return {spec.bpmn_id: classify_mode(spec) for process in definition.all_specs()
            for spec in process.task_specs.values() if getattr(spec, "bpmn_id", None) and classify_mode(spec)}


def spec_with(**props):
    return SimpleNamespace(extensions={"properties": props})


@pytest.mark.parametrize("bundle,expected", [
    ("group_complaint", {"investigate": "true", "panel_review": "true"}),
    ("training_complaint", {"write_informal_response": "true", "investigate_formal": "true",
                            "revise_formal_response": "true", "decide_appeal": "true"}),
    ("compliment", {"describe_compliment": "team"}),
])
def test_every_task_that_decides_the_outcome_is_a_closing_form(bundle, expected):
    assert closing_tasks(bundle) == expected


def test_the_closing_form_keeps_its_own_outcome_and_requires_themes_wherever_the_outcome_is_required():
    schema = with_themes(INTERIM_OR_RESPOND, CATEGORIES)
    Draft202012Validator.check_schema(schema)
    assert schema["properties"]["outcome"]["enum"] == ["upheld", "not_upheld"]
    assert schema["properties"]["themes"]["items"]["enum"] == ["communication", "delay"]
    assert schema["properties"]["themes"]["items"]["enumNames"] == ["Communication", "Delay"]
    validate_form(schema, {"decision": "interim"})
    with pytest.raises(InvalidInput) as refused:
        validate_form(schema, {"decision": "respond", "outcome": "upheld"})
    assert refused.value.fields == {"themes": ["Choose at least one"]}
    validate_form(schema, {"decision": "respond", "outcome": "upheld", "themes": ["delay"]})
    assert "themes" not in INTERIM_OR_RESPOND["properties"]  # the diagram's own form is left alone


def test_a_closing_form_without_an_outcome_gets_every_outcome_and_with_no_category_nothing_can_be_chosen():
    schema = with_themes({"type": "object", "properties": {"notes": {"type": "string"}}}, [])
    assert schema["properties"]["outcome"]["enum"] == list(OUTCOMES)
    assert set(schema["required"]) == {"outcome", "themes"}
    with pytest.raises(InvalidInput) as refused:
        validate_form(schema, {"outcome": "upheld", "themes": ["delay"]})
    assert list(refused.value.fields) == ["themes"]


def test_a_compliment_form_that_names_its_team_field_is_unchanged_otherwise_it_gains_a_team_field():
    form = {"type": "object", "properties": {"team_name": {"type": "string"}}}
    assert with_team_field(form, "team_name") is form
    assert "team" in with_team_field(form, None)["properties"]


def test_only_an_answered_outcome_with_themes_classifies_and_a_compliment_records_its_team():
    closing = spec_with(classifyCase="true")
    assert classification_of(closing, {"decision": "interim"}) is None
    assert classification_of(closing, {"outcome": "upheld", "themes": ["b", "a", "a"], "team": " "}) == {
        "outcome": "upheld", "themes": ["a", "b"], "team": None}
    compliment = spec_with(classifyCase="team", classifyTeamField="team_name")
    assert classification_of(compliment, {"team_name": "Leeds"}) == {"outcome": "recorded", "themes": [],
                                                                      "team": "Leeds"}
    assert classification_of(spec_with(), {"outcome": "upheld", "themes": ["a"]}) is None


def test_a_bundle_with_an_unknown_closing_form_mode_is_invalid():
    files = dict(bundle_from_directory(BPMN / "demo").files)
    xml = files["demo.bpmn"].decode()
    marked = xml.replace('name="formJsonSchemaFilename"', 'name="classifyCase" value="sometimes"/>'
                         '<spiffworkflow:property name="formJsonSchemaFilename"', 1)
    assert marked != xml
    files["demo.bpmn"] = marked.encode()
    _, problems = validate_bundle(bundle_from_files(files), build_registry())
    assert any("classifyCase 'sometimes'" in p["message"] for p in problems)
