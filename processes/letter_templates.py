"""Letter templates a bundle carries: the words (filters) letters use, and the checks bundle validation runs.

A process bundle is written by an analyst, so its templates are untrusted code: they render in Jinja's
immutable sandbox, may reach only the letter's data, and are refused at validation when they try anything else.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from jinja2 import TemplateSyntaxError
from jinja2.exceptions import SecurityError

from .calendar import LONDON
from .letter_sandbox import LetterSandbox

TEMPLATE_FOLDER = "templates/"  # a bundle's own templates/<name>/<part> win over the shipped ones
PARTS = ("subject.txt", "body.txt", "body.html")
STAGE_ALIASES = {
    "informal": "informal", "stage_1": "informal", "stage1": "informal", "1": "informal", "informal_stage": "informal",
    "formal": "formal", "stage_2": "formal", "stage2": "formal", "2": "formal", "formal_stage": "formal",
    "appeal": "appeal", "stage_3": "appeal", "stage3": "appeal", "3": "appeal", "appeal_stage": "appeal",
}


def stage_key(stage) -> str:
    """The procedure stage a case stage stands for: informal, formal, appeal, or the stage itself."""
    text = str(stage or "").strip().lower().replace(" ", "_").replace("-", "_")
    return STAGE_ALIASES.get(text, text)


def long_date(value, default: str = "") -> str:
    """A date as letters write it, e.g. 'Wednesday 30 December 2026' (London time for instants)."""
    if value in (None, ""):
        return default
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value or " " in value.strip() else date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date() if value.tzinfo else value.date()
    return f"{value:%A} {value.day} {value:%B %Y}"


def humanise(value, default: str = "") -> str:
    """A code word as plain words, e.g. 'partly_upheld' -> 'partly upheld'."""
    if value in (None, ""):
        return default
    return str(value).replace("_", " ")


GREETING = re.compile(r"\A\s*(dear|hello|hi)\b[^\n,:]{0,80}[,:]?[ \t]*(\r?\n|(?=\S))", re.IGNORECASE)


def without_greeting(value) -> str:
    """Text a colleague typed, without a greeting of its own: the letter already opens 'Dear <name>,'."""
    text = "" if value is None else str(value)
    if not GREETING.match(text):
        return text
    rest = GREETING.sub("", text, count=1).lstrip()
    return rest[:1].upper() + rest[1:]


LETTER_FILTERS = {"long_date": long_date, "humanise": humanise, "stage_key": stage_key,
                  "without_greeting": without_greeting}


def bundle_templates(files: dict[str, Any]) -> dict[str, str]:
    """A bundle's own templates by name under templates/ (for example 'acknowledgement/subject.txt')."""
    own = {}
    for name, content in (files or {}).items():
        if name.startswith(TEMPLATE_FOLDER) and not name.endswith("/"):
            text = content.decode("utf-8", "replace") if isinstance(content, bytes) else str(content)
            own[name[len(TEMPLATE_FOLDER):]] = text
    return own


def template_problems(bundle) -> list[dict]:
    """Bundle templates that are not UTF-8, do not compile, or reach past the letter's data, each against its file."""
    problems = []
    checker = LetterSandbox(html=True, filters=LETTER_FILTERS)
    for name in sorted(bundle.files):
        if not name.startswith(TEMPLATE_FOLDER) or name.endswith("/"):
            continue
        try:
            source = bundle.files[name].decode("utf-8")
        except UnicodeDecodeError:
            problems.append({"file": name, "message": f"{name} is not UTF-8 text"})
            continue
        try:
            template = checker.parse(source, name=name[len(TEMPLATE_FOLDER):])
            checker.compile(template, name=name)
        except SecurityError as exc:
            problems.append({"file": name, "message": f"{name}: {_reasons(exc)}"})
        except TemplateSyntaxError as exc:
            problems.append({"file": name,
                             "message": f"{name} line {exc.lineno} is not a valid template: {exc.message}"})
        except (RecursionError, MemoryError):
            problems.append({"file": name, "message": f"{name} is nested too deeply to check"})
    return problems


def _reasons(exc: SecurityError) -> str:
    text = str(exc)
    return text.split(" is refused: ", 1)[1] if " is refused: " in text else text
