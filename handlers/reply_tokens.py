"""Reply tokens: a case's signed reference in the Reply-To address of its letters (IAComplaints+<token>@...),
so that a reply finds its case even when the subject was changed."""
from __future__ import annotations

import hashlib
import hmac
import re

TAG = re.compile(r"^([a-z]{1,8}-\d{4}-\d{6})\.([0-9a-f]{12})$")


class ReplyTokens:
    """Makes and checks reply addresses; the signature stops a stranger from writing into any case by number."""

    def __init__(self, secret: str):
        self._key = ("reply-token:" + secret).encode()

    def _signature(self, reference: str) -> str:
        return hmac.new(self._key, reference.upper().encode(), hashlib.sha256).hexdigest()[:12]

    def address(self, reply_to: str, reference: str) -> str:
        """The mailbox address with the case's token as its sub-address."""
        local, at, domain = reply_to.rpartition("@")
        if not at or not local:
            return reply_to
        return f"{local.split('+', 1)[0]}+{reference.lower()}.{self._signature(reference)}@{domain}"

    def reference_in(self, recipients: tuple[str, ...]) -> str | None:
        """The case reference of the first correctly signed token among the addresses, if any."""
        for address in recipients:
            local = address.strip().lower().rpartition("@")[0]
            if "+" not in local:
                continue
            found = TAG.match(local.split("+", 1)[1])
            if found and hmac.compare_digest(found.group(2), self._signature(found.group(1))):
                return found.group(1).upper()
        return None
