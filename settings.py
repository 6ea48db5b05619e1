"""Settings from the environment, with the embedded defaults a first run needs."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).parent


@dataclass
class Settings:
    database_url: str = "sqlite:///" + str(ROOT / "instance" / "complaints.sqlite")
    secret_key: str = "dev-only-secret-change-me"
    clock: str = "system"  # system | demo (time travel allowed)
    bpmn_dir: Path = ROOT / "bpmn"
    host: str = "127.0.0.1"
    port: int = 5000
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_username: str = ""
    smtp_password: str = ""
    mail_from: str = "complaints@seetec.example"  # the sender of mail a division's configuration gives none for
    public_url: str = ""  # the base of links in letters (the status link); empty: http://host:port
    smtp_timeout: float = 30.0
    smtp_ca_file: str = ""  # an extra CA bundle, for a relay with a private certificate
    demo_mail: bool = True  # `complaints serve` starts a local SMTP catcher when smtp_host is a loopback address
    demo_mail_dir: Path = ROOT / "instance" / "mail"
    # mail in (docs/mail-in.md): the division mailboxes over IMAP, an inbound SMTP endpoint, the size limit
    imap_host: str = ""  # empty: no IMAP polling (the embedded default takes mail in through the SMTP catcher)
    imap_port: int = 993
    imap_ssl: bool = True  # implicit TLS; with imap_ssl off, imap_starttls upgrades a plain connection
    imap_starttls: bool = False
    imap_ca_file: str = ""
    imap_username: str = "{mailbox}"  # "{mailbox}" stands for each division mailbox's address
    imap_password: str = ""
    imap_passwords: str = ""  # a JSON object of mailbox address -> password, for mailboxes with their own
    imap_folder: str = "INBOX"
    imap_poll_seconds: float = 60.0  # how often each mailbox is read; with IDLE the worker waits on it meanwhile
    imap_timeout: float = 30.0
    mail_in_smtp_port: int = 0  # above 0: `complaints worker` listens for forwarded mail on host:port
    mail_max_bytes: int = 25_000_000  # a larger message is refused: a bounce to its sender and a note for staff
    sweep_seconds: float = 5.0  # how often a worker sweeps due timers and dispatches the outbox
    lease_sweeps: float = 0.75  # how long a worker's claim lasts unrenewed, in sweeps (docs/decisions.md)
    secure_cookies: bool = False
    # where rate-limit counters live: memory:// is per process; redis://host:6379/0 is shared by every worker
    ratelimit_storage_url: str = "memory://"
    metrics_token: str = ""  # the bearer token a scraper presents to /metrics; empty: /metrics answers 404
    worker_name: str = field(default_factory=lambda: f"{os.uname().nodename}:{os.getpid()}")

    def __post_init__(self) -> None:
        if self.sweep_seconds <= 0 or self.lease_sweeps <= 0:
            raise ValueError("sweep_seconds and lease_sweeps (COMPLAINTS_SWEEP_SECONDS, COMPLAINTS_LEASE_SWEEPS) "
                             "must be positive")

    @property
    def link_base(self) -> str:
        """Where letters' links point: COMPLAINTS_PUBLIC_URL, else this server's own address."""
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def lease_seconds(self) -> float:
        """How long a claim on a timer or a letter lasts unless its worker renews it."""
        return self.sweep_seconds * self.lease_sweeps

    @property
    def lease_renew_seconds(self) -> float:
        """How often a busy worker renews the claims it still holds: three times a lease."""
        return self.lease_seconds / 3

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        values = {}
        for name, default in cls.__dataclass_fields__.items():
            raw = os.environ.get("COMPLAINTS_" + name.upper())
            if raw is None:
                continue
            kind = type(getattr(cls, name, "")) if not callable(default.default_factory) else str
            values[name] = _coerce(raw, kind)
        values.update(overrides)
        return cls(**values)


def _coerce(raw: str, kind: type):
    if kind is bool:
        return raw.lower() in {"1", "true", "yes", "on"}
    if kind in (int, float):
        return kind(raw)
    if kind is type(ROOT):
        return Path(raw)
    return raw
