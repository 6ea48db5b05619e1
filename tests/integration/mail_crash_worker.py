"""A mail-in worker that is killed (SIGKILL) right after it stored its first message and before it flagged it on
the server: run as `python -m tests.integration.mail_crash_worker <database url> <imap port> <mailbox>`."""
from __future__ import annotations

import os
import signal
import sys

import bootstrap
from handlers.imap_intake import ImapMailboxReader, account_for
from handlers.mail_intake import MailIntake
from settings import Settings
from tests.mail_support import PASSWORD


def main(database_url: str, port: str, address: str) -> None:
    settings = Settings(database_url=database_url, imap_host="127.0.0.1", imap_port=int(port), imap_ssl=False,
                        imap_password=PASSWORD, worker_name="doomed-worker")
    container = bootstrap.build(settings)
    intake = MailIntake(container.uow, container.clock, settings)
    [mailbox] = [m for m in intake.mailboxes() if m.address == address]

    def die(uid, taken):  # the commit is done; the flag is not
        print(f"stored {taken.outcome} {taken.item_id}", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

    ImapMailboxReader(account_for(settings, address), mailbox, intake, before_flag=die).poll()


if __name__ == "__main__":
    main(*sys.argv[1:4])
