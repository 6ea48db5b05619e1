"""Renders a handler's letter draft and queues it in the outbox, in the engine step's transaction."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"


class OutboxLetterQueue:
    """Resolves recipients, renders subject, text and HTML, and writes an idempotent outbox row."""

    def __init__(self, templates: Path = TEMPLATES):
        self.env = Environment(loader=FileSystemLoader(str(templates)), autoescape=select_autoescape(["html"]),
                               undefined=StrictUndefined)

    def queue(self, uow, case, division, draft, now: datetime) -> None:
        for address in self.recipients(uow, case, division, draft.recipient):
            context = {"case": case, "division": division, "config": division.config, **draft.context}
            subject = self._render(f"{draft.template}.subject.txt", context, f"{case.reference}: {draft.template}")
            text = self._render(f"{draft.template}.txt", context, f"Case {case.reference}: {draft.template}")
            html = self._render(f"{draft.template}.html", context, None) or self.env.from_string(
                "<p>{{ text }}</p>", globals={}).render(text=text)
            uow.outbox.add(case_id=case.id, idempotency_key=f"{draft.idempotency_key}:{address}", recipient=address,
                           template=draft.template, subject=subject.strip(), body_text=text, body_html=html,
                           next_attempt_at=now, created_at=now, status="pending" if "@" in address else "manual")

    def recipients(self, uow, case, division, recipient: str) -> list[str]:
        if recipient == "complainant":
            return [case.complainant.get("email") or "post:" + case.reference]
        if recipient.startswith("role:"):
            role = recipient[5:]
            mailbox = division.config.get("mailboxes", {}).get(role)
            return [mailbox or division.config.get("complaints_mailbox", "complaints@example.org")]
        return [recipient]

    def _render(self, name: str, context: dict, default: str | None) -> str | None:
        try:
            return self.env.get_template(name).render(context)
        except TemplateNotFound:
            return default
