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
    mail_from: str = "complaints@seetec.example"
    smtp_timeout: float = 30.0
    smtp_ca_file: str = ""  # an extra CA bundle, for a relay with a private certificate
    demo_mail: bool = True  # `complaints serve` starts a local SMTP catcher when smtp_host is a loopback address
    demo_mail_dir: Path = ROOT / "instance" / "mail"
    sweep_seconds: float = 5.0
    secure_cookies: bool = False
    # where rate-limit counters live: memory:// is per process; redis://host:6379/0 is shared by every worker
    ratelimit_storage_url: str = "memory://"
    metrics_token: str = ""  # the bearer token a scraper presents to /metrics; empty: /metrics answers 404
    worker_name: str = field(default_factory=lambda: f"{os.uname().nodename}:{os.getpid()}")

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
