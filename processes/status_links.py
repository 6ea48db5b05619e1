"""The complainant's private status link: one unguessable token per case, derived from the secret and reference,
so the link a letter carries is the same one the public form showed, and every letter of the case can carry it."""
from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

STATUS_PATH = "/public/status/"


@dataclass(frozen=True)
class StatusLinks:
    """Makes a case's status token and its full link; only the token's hash is ever stored."""

    secret: str
    base_url: str = "http://127.0.0.1:5000"

    def token(self, reference: str) -> str:
        """The case's status token: 43 URL-safe characters, the same for the same reference and secret."""
        digest = hmac.new(("status-link:" + self.secret).encode(), reference.upper().encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")

    def url(self, reference: str) -> str:
        """The full private link a letter prints."""
        return f"{self.base_url.rstrip('/')}{STATUS_PATH}{self.token(reference)}"
