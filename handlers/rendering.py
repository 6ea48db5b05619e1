"""Letter templates: a subject, plain text and autoescaped HTML per template, rendered with case and division."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from threading import Lock

from jinja2 import (
    BaseLoader,
    ChainableUndefined,
    ChoiceLoader,
    DictLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    select_autoescape,
)

from processes.letter_sandbox import LetterSandbox, letter_budget
from processes.letter_templates import LETTER_FILTERS, PARTS, bundle_templates, humanise, long_date, stage_key  # noqa: F401  (letters and tests use them here)

TEMPLATES = Path(__file__).parent / "templates"
SUBJECT_LIMIT = 300
OUTPUT_LIMIT = 1_000_000  # characters one part of a letter may come to


@dataclass(frozen=True)
class RenderedLetter:
    """One letter in its three parts."""

    subject: str
    text: str
    html: str


class LetterNotRenderable(Exception):
    """A template is missing or failed to render; the letter cannot be written."""


def one_line(text: str) -> str:
    """Collapse whitespace so a rendered subject can never break an email header."""
    return " ".join(str(text).split())


@dataclass(frozen=True)
class LetterEnvironment:
    """Where a letter's parts come from: one environment for the plain-text parts and one for the HTML body."""

    text: Environment
    html: Environment
    sandboxed: bool = False

    def template(self, name: str):
        """The compiled template for a part name such as 'acknowledgement/body.html'."""
        return (self.html if name.endswith(".html") else self.text).get_template(name)


class LetterRenderer:
    """Renders the shipped templates, or a bundle's own templates (sandboxed) when the bundle carries them."""

    def __init__(self, templates: Path = TEMPLATES, strict: bool = False):
        self.templates = Path(templates)
        self.strict = strict
        self._envs: dict[str, LetterEnvironment] = {}
        self._lock = Lock()

    def names(self) -> list[str]:
        """Every shipped template name (a folder holding the three parts)."""
        return sorted(p.name for p in self.templates.iterdir()
                      if p.is_dir() and not p.name.startswith("_") and (p / PARTS[0]).exists())

    def environment(self, bundle_key: str | None = None, bundle_files: dict | None = None) -> LetterEnvironment:
        """The environments for a bundle, cached per bundle hash: the shipped set, or the bundle's own first."""
        own = bundle_templates(bundle_files or {}) if bundle_key else {}
        key = bundle_key if own else ""
        with self._lock:
            if key not in self._envs:
                self._envs[key] = self._sandboxed(own) if own else self._shipped()
            return self._envs[key]

    def _shipped(self) -> LetterEnvironment:
        # Templates that ship with the code are trusted: the normal environment, escaping HTML files.
        env = Environment(loader=FileSystemLoader(str(self.templates)),
                          autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
                          undefined=StrictUndefined if self.strict else ChainableUndefined,
                          trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
        env.filters.update(LETTER_FILTERS)
        return LetterEnvironment(env, env)

    def _sandboxed(self, own: dict[str, str]) -> LetterEnvironment:
        # A bundle's templates are untrusted. The HTML body renders in an environment that escapes every template
        # it loads (including any .txt it includes), so no bundle template can put raw text into an HTML letter.
        def loader() -> BaseLoader:
            return ChoiceLoader([DictLoader(own), FileSystemLoader(str(self.templates))])
        return LetterEnvironment(LetterSandbox(loader(), html=False, strict=self.strict, filters=LETTER_FILTERS),
                                 LetterSandbox(loader(), html=True, strict=self.strict, filters=LETTER_FILTERS),
                                 sandboxed=True)

    def render(self, template: str, context: dict, env: LetterEnvironment | None = None) -> RenderedLetter:
        """Render the three parts of a template, or raise LetterNotRenderable saying why."""
        env = env or self.environment()
        parts = []
        for part in PARTS:
            try:
                with letter_budget():
                    parts.append(_bounded(env.template(f"{template}/{part}").generate(context)))
            except TemplateNotFound as exc:
                missing = f"missing {template}/{part}" if exc.name == f"{template}/{part}" else \
                    f"{template}/{part} uses {exc.name!r}, which does not exist"
                raise LetterNotRenderable(f"there is no letter template {template!r} ({missing})") from None
            except LetterNotRenderable:
                raise
            except Exception as exc:  # a template error must become a visible failed letter, not a lost step
                raise LetterNotRenderable(f"letter template {template!r} failed in {part}: "
                                          f"{type(exc).__name__}: {exc}") from exc
        subject = one_line(parts[0])[:SUBJECT_LIMIT] or template.replace("_", " ")
        return RenderedLetter(subject=subject, text=parts[1].strip() + "\n", html=parts[2].strip() + "\n")


def _bounded(chunks) -> str:
    """Join a template's output, stopping a template that would write more than any letter needs."""
    out, size = [], 0
    for chunk in chunks:
        size += len(chunk)
        if size > OUTPUT_LIMIT:
            raise LetterNotRenderable(f"the letter would be longer than {OUTPUT_LIMIT} characters")
        out.append(chunk)
    return "".join(out)
