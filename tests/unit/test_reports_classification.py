"""Closure classification: the schema fragment for closure forms and its validation."""
import pytest
from jsonschema import Draft202012Validator

from processes.classification import OUTCOMES, closure_fragment, validate_closure, with_closure_fields
from processes.errors import InvalidInput
from processes.forms import validate_form


def test_the_closure_fragment_is_valid_json_schema_requiring_outcome_and_themes():
    schema = with_closure_fields({"type": "object", "properties": {"notes": {"type": "string"}}, "required": ["notes"]},
                                 ["delay", "communication"])
    Draft202012Validator.check_schema(schema)
    assert schema["required"] == ["notes", "outcome", "themes"]
    with pytest.raises(InvalidInput) as refused:
        validate_form(schema, {"notes": "done", "themes": []})
    assert set(refused.value.fields) == {"outcome", "themes"}
    validate_form(schema, {"notes": "done", "outcome": "upheld", "themes": ["delay"]})


def test_the_fragment_lists_every_outcome_and_the_live_categories():
    fragment = closure_fragment(["b", "a"])
    assert fragment["properties"]["outcome"]["enum"] == list(OUTCOMES)
    assert fragment["properties"]["themes"]["items"]["enum"] == ["a", "b"]
    assert "enum" not in closure_fragment()["properties"]["themes"]["items"]


def test_validation_refuses_unknown_outcomes_retired_categories_and_no_theme():
    with pytest.raises(InvalidInput) as refused:
        validate_closure({"outcome": "won", "themes": ["retired"]}, {"delay"})
    assert "outcome" in refused.value.fields and "retired" in refused.value.fields["themes"][0]
    with pytest.raises(InvalidInput):
        validate_closure({"outcome": "upheld", "themes": []}, {"delay"})


def test_validation_returns_the_cleaned_classification():
    assert validate_closure({"outcome": "partly_upheld", "themes": ["delay", "delay"], "team": " Leeds "},
                            {"delay"}) == ("partly_upheld", ["delay"], "Leeds")
