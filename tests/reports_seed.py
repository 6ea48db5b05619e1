"""A generated year of cases written straight through the storage layer, with the plain records kept beside
them so tests can compute the expected figures independently of the product's report code."""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

import holidays
from sqlalchemy import select

from processes.classification import CLASSIFIED
from storage.models import ProcessVersion

THEMES = {"communication": "Communication", "delay": "Delay", "staff_conduct": "Staff conduct",
          "service_quality": "Service quality", "accessibility": "Accessibility"}
TEAMS = ("Leeds employability", "Manchester probation", "Apprenticeships North", "Head office")
CHANNELS = ("web", "email", "phone", "post")
OUTCOMES = ("upheld", "partly_upheld", "not_upheld", "resolved_informally", "withdrawn")
STAGES = ("informal", "formal", "appeal")
AS_OF = datetime(2026, 1, 20, 12, 0, tzinfo=timezone.utc)
_BANK = holidays.country_holidays("GB", subdiv="ENG", years=range(2024, 2028))


def plain_working_days(start: datetime, end: datetime) -> int:
    """Working days after start's UK date up to and including end's, counted day by day (the test's own count)."""
    from zoneinfo import ZoneInfo
    london = ZoneInfo("Europe/London")
    a, b = start.astimezone(london).date(), end.astimezone(london).date()
    n, day = 0, a
    while day < b:
        day += timedelta(days=1)
        n += day.weekday() < 5 and day not in _BANK
    return n


@dataclass
class SeedDeadline:
    kind: str
    stage: str
    started_at: datetime
    due_at: datetime
    status: str
    resolved_at: datetime | None
    responded_at: datetime | None = None


@dataclass
class SeedCase:
    reference: str
    division: str
    kind: str
    channel: str
    received_at: datetime
    status: str = "open"
    outcome: str | None = None
    closed_at: datetime | None = None
    themes: list[str] = field(default_factory=list)
    team: str | None = None
    deadlines: list[SeedDeadline] = field(default_factory=list)
    furthest: int = 1
    email: str = ""
    legal_hold: str | None = None
    retention_until: date | None = None
    id: int | None = None
    stage_outcomes: dict = field(default_factory=dict)  # each stage's own decision, as the case keeps it


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), timezone.utc)


def generate_year(seed: int = 2025, per_division: int = 160, divisions=("IA", "ST")) -> list[SeedCase]:
    """Cases received across 2025 with deadlines, outcomes, themes and teams drawn at random (reproducibly)."""
    rng = random.Random(seed)
    cases = []
    for code in divisions:
        for n in range(1, per_division + 1):
            received = date(2025, 1, 1) + timedelta(days=rng.randrange(365))
            kind = rng.choices(("complaint", "compliment", "concern"), (70, 20, 10))[0]
            case = SeedCase(f"{code}-2025-{n:06d}", code, kind, rng.choice(CHANNELS), _at(received, 10),
                            email=f"person{n % 40}@example.org")
            if kind == "compliment":
                case.team = rng.choice(TEAMS + (None,))
                case.status, case.outcome, case.closed_at = "closed", "recorded", case.received_at + timedelta(days=1)
            else:
                case.themes = rng.sample(sorted(THEMES), rng.choice((1, 1, 2)))
                _complaint_path(rng, case)
            cases.append(case)
    return cases


def _complaint_path(rng: random.Random, case: SeedCase) -> None:
    start = case.received_at
    depth = rng.choices((1, 2, 3), (60, 28, 12))[0] if case.kind == "complaint" else 1
    for stage in STAGES[:depth]:
        ack_due = start + timedelta(days=5)
        ack = _clock(rng, "acknowledgement", stage, start, ack_due, 4)
        resp_due = start + timedelta(days=28)
        resp = _clock(rng, "response", stage, start, resp_due, 27)
        case.deadlines += [ack, resp]
        case.furthest = STAGES.index(stage) + 1
        if resp.responded_at is None:
            return
        start = resp.responded_at + timedelta(days=rng.randrange(1, 12), hours=-4)
    last = case.deadlines[-1].responded_at
    if last is not None and last < AS_OF - timedelta(days=3):
        case.status, case.outcome = "closed", rng.choice(OUTCOMES)
        case.closed_at = last + timedelta(days=1)
        answered = [d for d in case.deadlines if d.kind == "response" and d.responded_at is not None]
        for n, clock in enumerate(answered):  # a complainant who went on was not satisfied with the stage before
            outcome = case.outcome if n == len(answered) - 1 else "not_upheld"
            if outcome in ("upheld", "partly_upheld", "not_upheld", "resolved_informally"):
                case.stage_outcomes[clock.stage] = {"outcome": outcome, "decided_at": clock.responded_at.isoformat()}


def _clock(rng, kind, stage, start, due, span) -> SeedDeadline:
    if due > AS_OF:  # still running now
        return SeedDeadline(kind, stage, start, due, "running", None)
    roll = rng.random()
    if roll < 0.72:
        done = start + timedelta(days=rng.randrange(0, span), hours=5)
        return SeedDeadline(kind, stage, start, due, "met", done, done)
    if roll < 0.9:
        late = due + timedelta(days=rng.randrange(1, 15)) if kind == "response" else None
        return SeedDeadline(kind, stage, start, due, "breached", due, late if late and late < AS_OF else None)
    return SeedDeadline(kind, stage, start, due, "running", None)  # overdue and still open


def _two_years_after(closed: datetime | None) -> date | None:
    return closed.date().replace(year=closed.year + 2) if closed else None


def insert(container, cases: list[SeedCase], *, categories: bool = True) -> None:
    """Write the cases, their deadlines, response tasks, classification events and learning actions."""
    with container.reporting_uow() as uow:
        version = uow.versions.published("demo_complaint") or uow.session.scalars(
            select(ProcessVersion).where(ProcessVersion.state == "published")).first()
        version_id = version.id
        division_ids = {d.code: d.id for d in uow.divisions.all()}
        if categories:
            for code, label in THEMES.items():
                if uow.categories.by_code(code) is None:
                    uow.categories.add(code=code, label=label, kind="theme", active=True, created_at=AS_OF)
        for c in cases:
            row = uow.cases.add(reference=c.reference, division_id=division_ids[c.division], kind=c.kind,
                                channel=c.channel, received_at=c.received_at,
                                stage=STAGES[c.furthest - 1] if c.kind != "compliment" else "recorded",
                                status=c.status, outcome=c.outcome, closed_at=c.closed_at,
                                retention_until=c.retention_until or _two_years_after(c.closed_at),
                                legal_hold=c.legal_hold, version_id=version_id, stage_outcomes=c.stage_outcomes,
                                complainant={"name": f"Person {c.reference}", "email": c.email,
                                             "phone": "0113 496 0000"},
                                summary=f"What went wrong for {c.reference}", created_at=c.received_at)
            c.id = row.id
            for d in c.deadlines:
                uow.deadlines.add(case_id=row.id, spiff_task_id=str(uuid.uuid4()), element_id=f"{d.kind}_{d.stage}",
                                  name=f"{d.kind} {d.stage}", kind=d.kind, stage=d.stage, due_at=d.due_at,
                                  status=d.status, started_at=d.started_at, resolved_at=d.resolved_at)
                if d.kind == "response":
                    done = d.responded_at
                    uow.tasks.add(case_id=row.id, division_id=row.division_id, version_id=version_id,
                                  spiff_task_id=str(uuid.uuid4()), spec_name=f"respond_{d.stage}",
                                  title=f"Respond ({d.stage})", stage=d.stage, role="complaints_team", due_at=d.due_at,
                                  state="completed" if done else "open", created_at=d.started_at, completed_at=done)
            uow.events.append(row.id, "case_started", "system", c.received_at, data={"summary": "personal words"})
            if c.themes or c.team:
                uow.events.append(row.id, CLASSIFIED, "handler", c.closed_at or c.received_at,
                                  data={"outcome": c.outcome, "themes": sorted(c.themes), "team": c.team})
            uow.outbox.add(case_id=row.id, idempotency_key=f"seed:{c.reference}", recipient=c.email,
                           template="acknowledgement", subject=f"Your complaint {c.reference}",
                           body_text=f"Dear Person {c.reference}", body_html=f"<p>Dear Person {c.reference}</p>",
                           status="sent", next_attempt_at=c.received_at, created_at=c.received_at)
        uow.commit()


def add_learning(container, cases: list[SeedCase], rng_seed: int = 7) -> list[dict]:
    """Learning actions on some complaints; returns their plain records."""
    rng = random.Random(rng_seed)
    records = []
    with container.reporting_uow() as uow:
        for c in cases:
            if c.kind != "complaint" or rng.random() > 0.25:
                continue
            review_on = (c.received_at + timedelta(days=rng.randrange(20, 120))).date()
            status = rng.choice(("open", "open", "done"))
            best = rng.random() < 0.2
            uow.learning.add(case_id=c.id, stage="informal", element="respond_informal",
                             description=f"Brief the team about {c.themes[0]}", owner="owner", review_on=review_on,
                             status=status, best_practice=best, created_at=c.received_at)
            records.append({"division": c.division, "review_on": review_on, "status": status, "best": best,
                            "created_at": c.received_at})
        uow.commit()
    return records


def add_user(container, username: str, roles: dict[str, list[str]], group_wide: bool = False,
             password: str = "correct horse battery") -> None:
    """A staff user with roles per division code."""
    from processes.accounts import hash_password
    with container.uow() as uow:
        user = uow.users.add(username=username, display_name=username.title(), email=f"{username}@seetec.example",
                             password_hash=hash_password(password), is_active=True, is_group_wide=group_wide)
        for code, role_list in roles.items():
            for role in role_list:
                uow.users.add_membership(user.id, uow.divisions.by_code(code).id, role)
        uow.commit()


def sign_in(client, username: str, password: str = "correct horse battery"):
    """Sign a Flask test client in (CSRF is off in these web tests)."""
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.data[:300]
    return client
