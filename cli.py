"""The `complaints` command: init, serve, worker, deploy, export and timers run-due."""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import bootstrap
from processes.access import SYSTEM
from processes.bundle import bundle_from_directory, bundle_to_directory
from processes.errors import DomainError
from processes.input_bounds import clock_instant, refuse_nul
from processes.versions import deploy_draft, publish_shipped, record_export, version_bundle
from settings import Settings


def init(container, demo: bool = False) -> None:
    """Migrate the database, load divisions and publish the shipped diagrams as version 1."""
    from storage.db import migrate
    from storage.seed import load_divisions
    migrate(container.settings.database_url)
    bpmn = container.settings.bpmn_dir
    load_divisions(container.session_factory, bpmn / "divisions.json")
    for folder in shipped_bundles(bpmn):
        version = publish_shipped(container.uow(), container.runtime, bundle_from_directory(folder))
        if version:
            print(f"published {folder.name} as version 1")
    if demo:
        from demo_data import load_demo
        load_demo(container)


def shipped_bundles(bpmn: Path) -> list[Path]:
    return sorted(p.parent for p in bpmn.glob("*/bundle.json"))


def serve(container) -> None:
    """Run the web app (on waitress, a production WSGI server) and the scheduler in one process on 127.0.0.1."""
    from waitress import serve as serve_wsgi

    from scheduler import make_scheduler, sweep_timers
    from web import create_app
    app = create_app(container)
    sweep_timers(container)
    demo_mail = start_demo_mail(container.settings, container)
    scheduler = make_scheduler(container)
    scheduler.start()
    url = f"http://{container.settings.host}:{container.settings.port}/"
    print(f"Complaints is running at {url}", flush=True)
    try:
        # waitress rather than Werkzeug's development server: the embedded set-up serves as production does
        serve_wsgi(app, host=container.settings.host, port=container.settings.port, threads=8, ident="complaints")
    finally:
        scheduler.shutdown(wait=False)
        if demo_mail is not None:
            demo_mail.stop()


def start_demo_mail(settings, container=None):
    """Notifications: a local SMTP catcher so the demo shows sent mail as .eml files (COMPLAINTS_DEMO_MAIL=0: off);
    mail it receives for a division mailbox becomes intake (docs/mail-in.md)."""
    if not settings.demo_mail or settings.smtp_host not in ("127.0.0.1", "localhost", "::1"):
        return None
    if container is None:
        from handlers.demo_mail import start_demo_mail as start
        return start(settings.smtp_host, settings.smtp_port, settings.demo_mail_dir)
    from handlers.demo_mail import MailDrop
    from handlers.mail_intake import MailIntake
    from handlers.smtp_intake import start_intake_smtp
    return start_intake_smtp(settings.smtp_host, settings.smtp_port,
                             MailIntake(container.uow, container.clock, settings), MailDrop(settings.demo_mail_dir))


def start_mail_in(container):
    """The inbound SMTP endpoint the organisation's mail server forwards division mail to
    (COMPLAINTS_MAIL_IN_SMTP_PORT)."""
    settings = container.settings
    if settings.mail_in_smtp_port <= 0:
        return None
    from handlers.mail_intake import MailIntake
    from handlers.smtp_intake import start_intake_smtp
    return start_intake_smtp(settings.host, settings.mail_in_smtp_port,
                             MailIntake(container.uow, container.clock, settings))


def worker(container) -> None:
    """Run the scheduler alone: timer sweeps and outbox dispatch."""
    from scheduler import make_scheduler, sweep_timers
    sweep_timers(container)
    start_mail_in(container)
    print(f"worker {container.settings.worker_name} started", flush=True)
    make_scheduler(container, blocking=True).start()


def export(container, ref: str, folder: Path) -> None:
    """Write a version back as a bundle folder `deploy` accepts (the included folders, e.g. shared/, beside it), and
    check the folder reads back to the version's hash, so the change can be reviewed and committed like code."""
    bundle, version = version_bundle(container.uow(), ref)
    written = bundle_to_directory(bundle, folder)
    read_back = bundle_from_directory(folder).sha256
    if read_back != version["sha256"]:
        raise SystemExit(f"error: {folder} reads back as {read_back[:12]}, not the version's {version['sha256'][:12]}")
    record_export(container.uow(), version)
    beside = [str(p) for p in written[1:]]
    print(f"exported {version['process_key']} v{version['number']} ({version['state']}, sha256 "
          f"{version['sha256'][:12]}) to {folder}: {len(bundle.files)} files"
          + (f"; included folders written beside it: {', '.join(beside)}" if beside else ""))


def run_due(container, now: str | None) -> int:
    """Fire every timer that is due, optionally at a moved clock."""
    from scheduler import sweep_timers
    if now:
        clock = container.clock
        if not clock.allows_time_travel:
            raise SystemExit("--now is refused: the configured clock does not allow time travel "
                             "(set COMPLAINTS_CLOCK=demo in demo and test set-ups)")
        clock.set(clock_instant(now, "--now"))
    fired = sweep_timers(container)
    print(f"fired timers on {fired} case(s)")
    return fired


def main(argv: list[str] | None = None) -> int:
    from web.ops.logs import configure_logging
    configure_logging(logging.INFO)  # JSON lines, each with the case reference when there is one
    parser = argparse.ArgumentParser(prog="complaints", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_init = sub.add_parser("init", help="migrate, load divisions, publish shipped diagrams")
    p_init.add_argument("--demo", action="store_true", help="also load demo users and cases")
    sub.add_parser("serve", help="web app and scheduler on 127.0.0.1")
    sub.add_parser("worker", help="scheduler only")
    p_deploy = sub.add_parser("deploy", help="create a draft version from a bundle folder")
    p_deploy.add_argument("path", type=Path)
    p_deploy.add_argument("--note", default="")
    p_export = sub.add_parser("export", help="write a version back as a bundle folder that deploy accepts")
    p_export.add_argument("version", help="process_key:number (e.g. group_complaint:3) or a version id")
    p_export.add_argument("path", type=Path, help="the bundle folder to write, e.g. bpmn/group_complaint")
    p_timers = sub.add_parser("timers", help="timer operations")
    timers_sub = p_timers.add_subparsers(dest="timers_command", required=True)
    p_due = timers_sub.add_parser("run-due", help="fire every due timer now")
    p_due.add_argument("--now", help="ISO instant to move the clock to first (demo/test clocks only)")
    args = parser.parse_args(argv)

    container = bootstrap.build(Settings.from_env())
    try:
        if args.command == "init":
            init(container, args.demo)
        elif args.command == "serve":
            serve(container)
        elif args.command == "worker":
            worker(container)
        elif args.command == "deploy":
            refuse_nul({"--note": args.note})
            version_id = deploy_draft(container.uow(), container.runtime, bundle_from_directory(args.path), SYSTEM,
                                      args.note)
            print(f"created draft version {version_id}")
        elif args.command == "export":
            export(container, args.version, args.path)
        elif args.command == "timers":
            run_due(container, args.now)
    except DomainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        for field, messages in getattr(exc, "fields", {}).items():
            print(f"  - {field}: {'; '.join(messages)}", file=sys.stderr)
        for problem in getattr(exc, "problems", []):
            print(f"  - {problem.get('element') or problem.get('file') or ''}: {problem['message']}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
