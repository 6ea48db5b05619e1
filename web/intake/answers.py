"""The public complaint form's steps and reading its answers from posted fields."""
from __future__ import annotations

from datetime import date

STEPS = [
    ("about", "What happened", ["summary", "happened_on", "aware_on", "outcome_wanted"]),
    ("behalf", "Who the complaint is for", ["on_behalf", "behalf_name", "relationship"]),
    ("you", "Your details", ["give_name", "name", "email", "phone", "address", "contact_preference"]),
    ("support", "Support", ["needs_support", "language", "formats", "scribe", "advocate", "other_support"]),
    ("check", "Check your answers", []),
]
STEP_NAMES = [name for name, _, _ in STEPS]
FIELDS = [f for _, _, fields in STEPS for f in fields]
LISTS = {"formats"}
YES_NO = {"on_behalf", "needs_support", "scribe", "advocate", "may_share", "give_name"}
DATES = {"happened_on", "aware_on"}
COMPLIMENT_FIELDS = ["summary", "about", "name", "email", "may_share"]
FORMAT_LABELS = [("large_print", "Large print"), ("easy_read", "Easy read"), ("braille", "Braille"),
                 ("audio", "Audio"), ("translation", "Translated letters"),
                 ("british_sign_language", "British Sign Language")]


def raw_answers(form, fields=FIELDS) -> dict:
    """The posted answers as text (lists for checkboxes), for carrying between steps."""
    raw = {}
    for name in fields:
        if name in LISTS:
            raw[name] = [v for v in form.getlist(name) if v][:10]
        else:
            raw[name] = (form.get(name) or "")[:12000]
    return raw


def typed(raw: dict) -> dict:
    """Answers with yes/no as booleans and dates as dates; a date that is not real stays text."""
    out = dict(raw)
    for name in YES_NO:
        value = raw.get(name)
        out[name] = True if value == "yes" else False if value == "no" else None
    for name in DATES:
        value = (raw.get(name) or "").strip()
        try:
            out[name] = date.fromisoformat(value) if value else None
        except ValueError:
            out[name] = value
    return out


def step_of(name: str) -> int:
    return STEP_NAMES.index(name) if name in STEP_NAMES else 0


def problems_on_step(problems: dict, step: str) -> dict:
    """Only the problems with the fields asked on this step."""
    fields = next(f for n, _, f in STEPS if n == step)
    return {k: v for k, v in problems.items() if k in fields}
