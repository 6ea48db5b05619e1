"""A division administrator manages only the accounts whose roles all lie in divisions they administer; the
group-wide administrator manages the rest. Each takeover path is tried and must be refused with a 403 that says
why, be recorded as refused, and change nothing (no token, role, password, status or group-wide flag)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from processes.access import SYSTEM
from processes.accounts import hash_password, new_api_token
from processes.intake import record_case
from storage import models as m
from web import create_app
from web.extensions import limiter

PASSWORD = "correct-horse-battery"
ACCOUNTS = {  # username: (memberships, group-wide)
    "admin": ([(code, "administrator") for code in ("IA", "EUK", "ST", "PL")] + [("IA", "complaints_team")], True),
    "ia.admin": ([("IA", "administrator")], False),
    "ia.admin2": ([("IA", "administrator")], False),
    "euk.admin": ([("EUK", "administrator")], False),
    "ia.team": ([("IA", "complaints_team")], False),
    "euk.team": ([("EUK", "complaints_team")], False),
    "both.team": ([("IA", "complaints_team"), ("EUK", "complaints_team")], False),
    "ia.reader": ([("IA", "governance")], True),  # group-wide, but no administrator
}


@pytest.fixture
def accounts(container):
    """The accounts above, each with a password and an API token; returns username -> {id, token}."""
    found = {}
    with container.uow() as uow:
        divisions = {d.code: d for d in uow.divisions.all()}
        password_hash = hash_password(PASSWORD)
        for username, (memberships, group_wide) in ACCOUNTS.items():
            token, digest = new_api_token()
            user = uow.users.add(username=username, display_name=username.replace(".", " ").title(),
                                 email=f"{username}@example.org", password_hash=password_hash,
                                 api_token_hash=digest, is_group_wide=group_wide)
            for code, role in memberships:
                uow.users.add_membership(user.id, divisions[code].id, role)
            found[username] = {"id": user.id, "token": token}
        uow.commit()
    return found


@pytest.fixture
def client(container, accounts):
    app = create_app(container, TESTING=True, WTF_CSRF_ENABLED=False)
    limiter.reset()
    return app.test_client()


def signed_in(client, username: str):
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    return client


def account_state(container) -> dict:
    """Every account's token hash, password hash, status, group-wide flag and roles."""
    with container.session_factory() as session:
        users = session.scalars(select(m.User).order_by(m.User.id)).all()
        roles = sorted(session.execute(select(m.Membership.user_id, m.Membership.division_id, m.Membership.role)))
        return {"users": [(u.username, u.api_token_hash, u.password_hash, u.is_active, u.is_group_wide)
                          for u in users], "roles": roles}


def refusals(container) -> list[dict]:
    with container.session_factory() as session:
        return [{"actor": e.actor, **e.data} for e in
                session.scalars(select(m.Event).where(m.Event.kind == "admin_refused").order_by(m.Event.id))]


def assert_refused(container, response, reason: str, before: dict, actor: str, action: str, target: str | None):
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 403, html
    assert reason in html
    assert 'id="api-token"' not in html
    assert account_state(container) == before
    last = refusals(container)[-1]
    assert (last["actor"], last["action"], last.get("username")) == (actor, action, target)
    assert last["reason"] and last["divisions"]


def uid(accounts, username):
    return accounts[username]["id"]


def test_a_division_admin_cannot_issue_a_token_for_the_group_admin_who_also_holds_their_divisions_roles(
        client, container, accounts):
    signed_in(client, "ia.admin")
    before = account_state(container)
    response = client.post(f"/admin/users/{uid(accounts, 'admin')}/token")
    assert_refused(container, response, "admin is a group-wide account", before, "ia.admin", "api_token_issued",
                   "admin")
    # the group administrator's own token still works; nothing new exists to read other divisions with
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {accounts['admin']['token']}"}
                      ).status_code == 200


def test_a_division_admin_cannot_revoke_the_group_admins_token_or_set_its_password(client, container, accounts):
    signed_in(client, "ia.admin")
    before = account_state(container)
    admin = uid(accounts, "admin")
    assert_refused(container, client.post(f"/admin/users/{admin}/token/revoke"), "group-wide account", before,
                   "ia.admin", "api_token_revoked", "admin")
    assert_refused(container, client.post(f"/admin/users/{admin}/password", data={"password": "taken-over-now-1"}),
                   "group-wide account", before, "ia.admin", "password_set", "admin")
    assert_refused(container, client.post(f"/admin/users/{admin}", data={"membership": ["IA:hr"]}),
                   "group-wide account", before, "ia.admin", "memberships_changed", "admin")
    assert_refused(container, client.post(f"/admin/users/{admin}/active", data={"active": "no"}),
                   "group-wide account", before, "ia.admin", "user_disabled", "admin")


@pytest.mark.parametrize("target, reason", [
    ("euk.team", "not in a division you administer"), ("both.team", "also holds roles in EUK"),
    ("ia.reader", "ia.reader is a group-wide account")])
def test_a_division_admin_cannot_disable_enable_or_reset_accounts_beyond_their_divisions(
        client, container, accounts, target, reason):
    with container.session_factory() as session, session.begin():
        session.get(m.User, uid(accounts, "euk.team")).is_active = False  # so that enabling is tried too
    signed_in(client, "ia.admin")
    before = account_state(container)
    user = uid(accounts, target)
    for path, data, action in ((f"/admin/users/{user}/active", {"active": "no"}, "user_disabled"),
                               (f"/admin/users/{user}/active", {"active": "yes"}, "user_enabled"),
                               (f"/admin/users/{user}/password", {"password": "a-new-password-1"}, "password_set"),
                               (f"/admin/users/{user}/token", {}, "api_token_issued"),
                               (f"/admin/users/{user}/token/revoke", {}, "api_token_revoked")):
        assert_refused(container, client.post(path, data=data), reason, before, "ia.admin", action, target)
    assert client.get(f"/admin/users/{user}").status_code == 403


def test_a_division_admin_cannot_give_an_own_division_role_to_another_divisions_user_then_take_its_token(
        client, container, accounts):
    signed_in(client, "ia.admin")
    before = account_state(container)
    euk = uid(accounts, "euk.team")
    granted = client.post(f"/admin/users/{euk}", data={"membership": ["IA:complaints_team", "EUK:complaints_team"]})
    assert_refused(container, granted, "not in a division you administer", before, "ia.admin",
                   "memberships_changed", "euk.team")
    assert_refused(container, client.post(f"/admin/users/{euk}/token"), "not in a division you administer",
                   before, "ia.admin", "api_token_issued", "euk.team")


def test_a_division_admin_cannot_grant_roles_or_administrator_beyond_their_divisions(client, container, accounts):
    signed_in(client, "ia.admin")
    before = account_state(container)
    team = uid(accounts, "ia.team")
    for wanted in (["IA:complaints_team", "EUK:administrator"], ["IA:complaints_team", "EUK:hr"],
                   ["IA:complaints_team", "NOPE:administrator"]):
        response = client.post(f"/admin/users/{team}", data={"membership": wanted})
        assert_refused(container, response, "You do not administer", before, "ia.admin", "memberships_changed",
                       "ia.team")
    created = client.post("/admin/users", data={"username": "new.boss", "display_name": "New Boss",
                                                "email": "boss@example.org", "password": "a-long-password-1",
                                                "membership": ["IA:administrator", "EUK:administrator"]})
    assert_refused(container, created, "You do not administer EUK", before, "ia.admin", "user_created", None)


def test_a_division_admin_cannot_make_anyone_group_wide(client, container, accounts):
    signed_in(client, "ia.admin")
    before = account_state(container)
    response = client.post(f"/admin/users/{uid(accounts, 'ia.team')}/group-wide", data={"group_wide": "yes"})
    assert_refused(container, response, "Only a group-wide administrator can make an account group-wide", before,
                   "ia.admin", "group_wide_changed", "ia.team")
    assert "group-wide (sees every division)" not in client.get(f"/admin/users/{uid(accounts, 'ia.team')}"
                                                                 ).get_data(as_text=True)


def test_a_group_wide_account_without_the_administrator_role_administers_nothing(client, container, accounts):
    signed_in(client, "ia.reader")
    before = account_state(container)
    assert client.post(f"/admin/users/{uid(accounts, 'ia.team')}/token").status_code == 403
    assert account_state(container) == before


def test_the_admin_pages_list_only_manageable_accounts_and_hide_what_cannot_be_used(client, container, accounts):
    html = signed_in(client, "ia.admin").get("/admin/users").get_data(as_text=True)
    listed = set(re.findall(r'<td>([a-z0-9.]+)</td>', html))
    assert listed == {"ia.admin", "ia.admin2", "ia.team"}
    page = client.get(f"/admin/users/{uid(accounts, 'ia.team')}").get_data(as_text=True)
    assert 'value="IA:complaints_team"' in page and "EUK:" not in page and "/group-wide" not in page
    own = client.get(f"/admin/users/{uid(accounts, 'ia.admin')}").get_data(as_text=True)
    assert "Disable account" not in own


def test_the_group_admin_manages_group_wide_and_cross_division_accounts(client, container, accounts):
    signed_in(client, "admin")
    html = client.get("/admin/users").get_data(as_text=True)
    assert {"euk.team", "both.team", "ia.reader"} <= set(re.findall(r'<td>([a-z0-9.]+)</td>', html))
    both = uid(accounts, "both.team")
    assert "/group-wide" in client.get(f"/admin/users/{both}").get_data(as_text=True)
    token = re.search(r'id="api-token">([^<]+)<', client.post(f"/admin/users/{both}/token").get_data(as_text=True))
    assert token is not None
    assert client.post(f"/admin/users/{both}/group-wide", data={"group_wide": "yes"}).status_code == 302
    with container.session_factory() as session:
        assert session.get(m.User, both).is_group_wide is True


def test_a_token_a_division_admin_issues_reads_only_that_division(client, container, accounts):
    for division in ("IA", "EUK"):
        record_case(container.uow(), container.runtime, SYSTEM, division, "complaint", "email",
                    container.clock.now(), {"summary": "Late", "name": "Pat Jones", "email": "pat@example.org",
                                            "on_behalf": False})
    signed_in(client, "ia.admin")
    html = client.post(f"/admin/users/{uid(accounts, 'ia.team')}/token").get_data(as_text=True)
    token = re.search(r'id="api-token">([^<]+)<', html).group(1)
    cases = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).json["items"]
    assert {c["division"] for c in cases} == {"IA"}


def test_every_administrative_action_is_logged_with_its_actor_account_and_division(client, container, accounts):
    signed_in(client, "ia.admin")
    assert client.post("/admin/users", data={"username": "new.person", "display_name": "New Person",
                                             "email": "new@example.org", "password": "a-long-password-1",
                                             "membership": ["IA:hr"]}).status_code == 302
    with container.uow() as uow:
        new = uow.users.id_of("new.person")
    client.post(f"/admin/users/{new}", data={"membership": ["IA:hr", "IA:line_manager"]})
    client.post(f"/admin/users/{new}/active", data={"active": "no"})
    client.post(f"/admin/users/{new}/active", data={"active": "yes"})
    client.post(f"/admin/users/{new}/password", data={"password": "another-password-2"})
    client.post(f"/admin/users/{new}/token")
    client.post(f"/admin/users/{new}/token/revoke")
    client.post(f"/admin/users/{uid(accounts, 'admin')}/token")  # refused
    with container.session_factory() as session:
        events = session.scalars(select(m.Event).where(m.Event.case_id.is_(None), m.Event.version_id.is_(None))
                                 .order_by(m.Event.id)).all()
    logged = [(e.kind, e.actor, e.data.get("username"), tuple(e.data["divisions"])) for e in events]
    assert logged == [("user_created", "ia.admin", "new.person", ("IA",)),
                      ("memberships_changed", "ia.admin", "new.person", ("IA",)),
                      ("user_disabled", "ia.admin", "new.person", ("IA",)),
                      ("user_enabled", "ia.admin", "new.person", ("IA",)),
                      ("password_set", "ia.admin", "new.person", ("IA",)),
                      ("api_token_issued", "ia.admin", "new.person", ("IA",)),
                      ("api_token_revoked", "ia.admin", "new.person", ("IA",)),
                      ("admin_refused", "ia.admin", "admin", ("EUK", "IA", "PL", "ST"))]
    page = client.get("/admin/log").get_data(as_text=True)
    assert "Refused:" in page and "new.person" in page
    other = create_app(container, TESTING=True, WTF_CSRF_ENABLED=False).test_client()
    assert "new.person" not in signed_in(other, "euk.admin").get("/admin/log").get_data(as_text=True)
