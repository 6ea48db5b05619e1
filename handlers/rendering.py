"""Letter templates: a subject, plain text and autoescaped HTML per template, rendered with case and division."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from threading import Lock

from jinja2 import (BaseLoader, ChainableUndefined, ChoiceLoader, DictLoader, Environment, FileSystemLoader,
                    StrictUndefined, TemplateNotFound, select_autoescape)

from processes.calendar import LONDON

TEMPLATES = Path(__file__).parent / "templates"
PARTS = ("subject.txt", "body.txt", "body.html")
BUNDLE_FOLDER = "templates/"  # a bundle may carry its own templates/<name>/<part> that win over the shipped ones
SUBJECT_LIMIT = 300
STAGE_ALIASES = {
    "informal": "informal", "stage_1": "informal", "stage1": "informal", "1": "informal", "informal_stage": "informal",
    "formal": "formal", "stage_2": "formal", "stage2": "formal", "2": "formal", "formal_stage": "formal",
    "appeal": "appeal", "stage_3": "appeal", "stage3": "appeal", "3": "appeal", "appeal_stage": "appeal",
}


@dataclass(frozen=True)
class RenderedLetter:
    """One letter in its three parts."""

    subject: str
    text: str
    html: str


class LetterNotRenderable(Exception):
    """A template is missing or failed to render; the letter cannot be written."""


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


def one_line(text: str) -> str:
    """Collapse whitespace so a rendered subject can never break an email header."""
    return " ".join(str(text).split())


class LetterRenderer:
    """Renders the shipped templates, or a bundle's own templates when the bundle carries them."""

    def __init__(self, templates: Path = TEMPLATES, strict: bool = False):
        self.templates = Path(templates)
        self.strict = strict
        self._envs: dict[str, Environment] = {}
        self._lock = Lock()

    def names(self) -> list[str]:
        """Every shipped template name (a folder holding the three parts)."""
        return sorted(p.name for p in self.templates.iterdir()
                      if p.is_dir() and not p.name.startswith("_") and (p / PARTS[0]).exists())

    def environment(self, bundle_key: str | None = None, bundle_files: dict[str, str] | None = None) -> Environment:
        """The Jinja environment for a bundle (its own templates first), cached per bundle hash."""
        key = bundle_key or ""
        with self._lock:
            if key not in self._envs:
                loaders: list[BaseLoader] = []
                own = {name[len(BUNDLE_FOLDER):]: text for name, text in (bundle_files or {}).items()
                       if name.startswith(BUNDLE_FOLDER)}
                if own:
                    loaders.append(DictLoader(own))
                loaders.append(FileSystemLoader(str(self.templates)))
                self._envs[key] = self._make_env(ChoiceLoader(loaders))
            return self._envs[key]

    def _make_env(self, loader: BaseLoader) -> Environment:
        env = Environment(loader=loader, autoescape=select_autoescape(enabled_extensions=("html",),
                                                                        default_for_string=False),
                          undefined=StrictUndefined if self.strict else ChainableUndefined,
                          trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
        env.filters.update(long_date=long_date, humanise=humanise, stage_key=stage_key)
        return env

    def render(self, template: str, context: dict, env: Environment | None = None) -> RenderedLetter:
        """Render the three parts of a template, or raise LetterNotRenderable saying why."""
        env = env or self.environment()
        parts = []
        for part in PARTS:
            try:
                parts.append(env.get_template(f"{template}/{part}").render(context))
            except TemplateNotFound:
                raise LetterNotRenderable(f"there is no letter template {template!r} (missing {template}/{part})") \
                    from None
            except Exception as exc:  # a template error must become a visible failed letter, not a lost step
                raise LetterNotRenderable(f"letter template {template!r} failed in {part}: "
                                          f"{type(exc).__name__}: {exc}") from exc
        subject = one_line(parts[0])[:SUBJECT_LIMIT] or template.replace("_", " ")
        return RenderedLetter(subject=subject, text=parts[1].strip() + "\n", html=parts[2].strip() + "\n")
