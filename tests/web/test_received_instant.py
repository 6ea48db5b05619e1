"""One rule for a received date typed without a time: staff intake and the case page's message form both take it
as 09:00 London on that day (and a date of today as now)."""
from __future__ import annotations

import pytest

from tests.web.conftest import login
from tests.web.test_cases import _to_waiting

pytestmark = pytest.mark.both_databases  # received instants are stored and read back per database


def test_a_phone_complaint_recorded_with_a_date_and_no_time_was_received_at_nine_in_london(client, webtest):
    login(client, "ia.team")
    response = client.post("/cases/new", data={
        "division": "IA", "kind": "complaint", "channel": "phone", "received_on": "2026-12-18",
        "summary": "Called about a missed payment", "name": "Sam Lee", "phone": "0123"})
    assert response.status_code == 302
    reference = response.location.rsplit("/", 1)[1]
    with webtest.uow() as uow:
        assert uow.cases.by_reference(reference).received_at.isoformat() == "2026-12-18T09:00:00+00:00"


def test_an_escalation_recorded_with_a_date_and_no_time_was_received_at_nine_in_london(client, webtest):
    reference = _to_waiting(client, webtest)
    response = client.post(f"/cases/{reference}/messages", data={
        "message": "escalation_requested", "reasons": "The reply ignored my main point.",
        "received_on": "2026-12-21", "channel": "post"})
    assert response.status_code == 302
    with webtest.uow() as uow:
        events = uow.events.for_case(uow.cases.by_reference(reference).id)
        [delivered] = [e for e in events if e.kind == "message_delivered"]
        assert delivered.data["payload"]["received_at"] == "2026-12-21T09:00:00+00:00"
