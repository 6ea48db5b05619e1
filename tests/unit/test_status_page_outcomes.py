"""The status page gives each reply the outcome the reply itself states, whatever stage and policy wrote it."""
from __future__ import annotations

import pytest

from processes.public_status import DECISION, OUTCOME_OF
from tests.unit.test_letter_facts import decided
from tests.unit.test_templates import case, division, render


@pytest.mark.parametrize("code", ["IA", "ST"])
@pytest.mark.parametrize("stage", ["informal", "formal", "appeal"])
@pytest.mark.parametrize("outcome", sorted(OUTCOME_OF.values()))
def test_the_decision_a_reply_states_is_the_one_the_status_page_reads(code, stage, outcome):
    case_ = decided(case(stage=stage), stage, outcome)
    letter = render("stage_response", case_=case_, division_=division(code), stage=stage, outcome=outcome,
                    data={"outcome": outcome})
    found = DECISION.findall(letter.text)
    assert [OUTCOME_OF[words] for words in found] == [outcome], letter.text


def test_an_earlier_stages_outcome_in_a_final_reply_is_not_read_as_its_decision():
    case_ = decided(decided(case(stage="appeal"), "informal", "partly_upheld"), "appeal", "not_upheld")
    letter = render("stage_response", case_=case_, stage="appeal", outcome="not_upheld", data={"outcome": "not_upheld"})
    assert "At the informal stage 1, your complaint was partly upheld." in letter.text
    assert [OUTCOME_OF[words] for words in DECISION.findall(letter.text)] == ["not_upheld"]


def test_a_reply_sent_before_replies_named_their_stage_is_still_read():
    assert DECISION.search("Our decision: your complaint is partly upheld.").group(1) == "partly upheld"
