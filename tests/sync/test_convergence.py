"""Two phones of one user and the partner's phone edit offline, sync in an interleaved order, hit
conflicts, and end up holding the same data as the server shows each of them."""

import uuid
from typing import Any

import pytest

from tests.conftest import AppClient

pytestmark = pytest.mark.django_db


class Phone:
    """A minimal WatermelonDB-like client: a local store, pending changes, and synchronize()."""

    def __init__(self, client: AppClient):
        self.client = client
        self.cursor: int | None = None
        self.store: dict[str, dict[str, dict[str, Any]]] = {}
        self.pending: dict[str, dict[str, list[Any]]] = {}
        self.conflicts = 0

    def create(self, table: str, record: dict[str, Any]) -> None:
        self.store.setdefault(table, {})[record["id"]] = record
        self.pending.setdefault(table, {"created": [], "updated": [], "deleted": []})["created"].append(record)

    def update(self, table: str, record_id: str, **fields: Any) -> None:
        record = {**self.store[table][record_id], **fields}
        self.store[table][record_id] = record
        self.pending.setdefault(table, {"created": [], "updated": [], "deleted": []})["updated"].append(record)

    def pull(self) -> None:
        url = "/api/v1/sync/pull" + (f"?last_pulled_at={self.cursor}" if self.cursor is not None else "")
        body = self.client.get(url).json()
        for table, parts in body["changes"].items():
            rows = self.store.setdefault(table, {})
            local = {r["id"]: r for r in self.pending.get(table, {}).get("updated", [])}
            for record in parts["created"] + parts["updated"]:
                # Like WatermelonDB: columns changed locally and not pushed yet win over the pull.
                rows[record["id"]] = {**record, **local.get(record["id"], {})}
            for record_id in parts["deleted"]:
                rows.pop(record_id, None)
        self.cursor = body["timestamp"]

    def push(self) -> bool:
        """True when everything was applied; records to retry (conflicts) stay pending."""
        response = self.client.post(f"/api/v1/sync/push?last_pulled_at={self.cursor}", {"changes": self.pending})
        assert response.status_code == 200, response.content
        rejections = response.json()["rejections"]
        assert all(r["retry"] for r in rejections), rejections
        retry = {(r["table"], r["id"]) for r in rejections}
        self.conflicts += len(retry)
        self.pending = {
            table: {verb: [r for r in records if (table, r["id"]) in retry] for verb, records in parts.items()}
            for table, parts in self.pending.items()
        }
        self.pending = {t: parts for t, parts in self.pending.items() if any(parts.values())}
        return not retry

    def synchronize(self) -> None:
        """WatermelonDB's loop: pull, push; records in conflict stay local, merged by the next pull."""
        for _ in range(3):
            self.pull()
            if not self.pending or self.push():
                self.pull()
                return
        raise AssertionError("did not converge")

    def view(self, table: str) -> dict[str, dict[str, Any]]:
        return {rid: {k: v for k, v in r.items() if k != "updated_at"} for rid, r in self.store.get(table, {}).items()}


def _ritual(title: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "title": title,
        "category": "affection",
        "rrule": "FREQ=DAILY",
        "local_time": "08:00:00",
        "time_zone": "Europe/Berlin",
        "start_date": "2026-11-01",
    }


def _server_view(client: AppClient, table: str) -> dict[str, dict[str, Any]]:
    phone = Phone(client)
    phone.pull()
    return phone.view(table)


def test_two_phones_and_the_partners_phone_converge(me, partner, couple):
    phone_a, phone_b, partner_phone = Phone(me), Phone(AppClient().sign_in(me.user)), Phone(partner)
    for phone in (phone_a, phone_b, partner_phone):
        phone.synchronize()

    # Offline: A creates two rituals, the partner creates one and a shared check-in.
    kiss, hug = _ritual("Six-second kiss"), _ritual("Bedtime hug")
    phone_a.create("rituals", kiss)
    phone_a.create("rituals", hug)
    dinner = _ritual("Tech-free dinner")
    partner_phone.create("rituals", dinner)
    partner_phone.create("check_ins", {"id": str(uuid.uuid4()), "mood": 4, "connection": 4, "is_shared": True})
    phone_a.synchronize()
    partner_phone.synchronize()
    phone_b.synchronize()

    # Both of me's phones and the partner edit the same ritual while offline. The partner pulls,
    # then phone B pushes before the partner does: the partner's ritual is a conflict (rejected alone,
    # kept on the phone), and the partner's next synchronize() pulls B's version and pushes its own
    # edit on top.
    phone_b.update("rituals", kiss["id"], title="Six-second kiss, every morning")
    partner_phone.update("rituals", kiss["id"], title="Kiss goodbye")
    phone_a.update("rituals", hug["id"], grace_days=2)
    partner_phone.pull()
    phone_b.synchronize()
    assert partner_phone.push() is False
    partner_phone.synchronize()
    phone_a.synchronize()
    for phone in (phone_a, phone_b, partner_phone):
        phone.synchronize()

    assert partner_phone.conflicts == 1
    server = _server_view(me, "rituals")
    assert server[kiss["id"]]["title"] == "Kiss goodbye"
    assert server[hug["id"]]["grace_days"] == 2
    assert set(server) == {kiss["id"], hug["id"], dinner["id"]}
    for phone in (phone_a, phone_b, partner_phone):
        assert phone.view("rituals") == server
    assert phone_a.view("check_ins") == phone_b.view("check_ins") == _server_view(me, "check_ins")
    assert partner_phone.view("check_ins") == _server_view(partner, "check_ins")
