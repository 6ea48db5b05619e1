"""The evidence pack as one zip: the printable page, the same facts as JSON, every letter as sent, the process
version's bundle (with its hash) and the policy rules file."""
from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date, datetime
from typing import Any

from .bundle import bundle_from_files
from .bundle_archive import bundle_to_zip
from .evidence_pack import EvidencePack
from .policy_rules import RULES_DIR


def pack_zip(pack: EvidencePack, page_html: str, pdf: bytes | None = None) -> bytes:
    """The zip of an evidence pack, given its printable page (and that page as a PDF)."""
    buffer = io.BytesIO()
    stamp = pack.made_at.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        def put(name: str, content: str | bytes) -> None:
            archive.writestr(zipfile.ZipInfo(name, stamp), content)

        put("index.html", page_html)
        if pdf is not None:
            put("evidence.pdf", pdf)
        put("pack.json", json.dumps(pack_facts(pack), indent=2, default=_plain, ensure_ascii=False))
        for number, letter in enumerate(pack.letters, start=1):
            base = f"letters/{number:02d}-{_safe(letter['template'])}"
            put(base + ".txt", f"To: {letter['to']}\nSubject: {letter['subject']}\n"
                               f"Queued: {_plain(letter['queued_at'])}\n"
                               f"Sent: {_plain(letter['sent_at']) or 'not sent'}\n\n{letter['body_text']}")
            if letter["body_html"]:
                put(base + ".html", letter["body_html"])
        if pack.bundle_files and pack.versions:
            current = next(v for v in pack.versions if v["current"])
            bundle = bundle_from_files({n: t.encode() for n, t in pack.bundle_files.items()})
            put(f"process/{_safe(current['process_key'])}-v{current['number']}-{current['sha256'][:12]}.zip",
                bundle_to_zip(bundle))
        if pack.rules:
            put(f"policy/{pack.rules['policy']}.yaml", (RULES_DIR / f"{pack.rules['policy']}.yaml").read_bytes())
    return buffer.getvalue()


def pack_filename(pack: EvidencePack) -> str:
    """The download's name: the case reference and the day it was made."""
    return f"evidence-{_safe(pack.reference)}-{pack.made_at.date().isoformat()}.zip"


def pack_facts(pack: EvidencePack) -> dict[str, Any]:
    """The pack's facts as plain data (the bundle's files travel as their own zip)."""
    return {"reference": pack.reference, "made_at": pack.made_at, "made_by": pack.made_by, "case": pack.case,
            "division": pack.division, "versions": pack.versions, "timeline": pack.timeline,
            "letters": pack.letters, "deadlines": pack.deadlines, "independence_checks": pack.independence,
            "policy_rules": pack.rules}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None:
        return None
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name)[:80]
