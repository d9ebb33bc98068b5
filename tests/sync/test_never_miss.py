"""The commit-order race: a change stamped before a pull but committed after it must be in the next
pull (real PostgreSQL, two connections). See docs/sync.md for the argument."""

import threading
import uuid
from datetime import date, time

import pytest
from django.db import connection, transaction

from rituals.models import Ritual
from tests.conftest import AppClient
from tests.factories import UserFactory, pair

PULL = "/api/v1/sync/pull"


def _pull(client, cursor=None):
    url = PULL if cursor is None else f"{PULL}?last_pulled_at={cursor}"
    response = client.get(url)
    assert response.status_code == 200
    return response.json()


def _ritual(couple, title):
    return Ritual(
        id=uuid.uuid4(),
        couple=couple,
        title=title,
        category="affection",
        rrule="FREQ=DAILY",
        start_date=date(2026, 1, 1),
        local_time=time(8),
        time_zone="UTC",
    )


@pytest.mark.django_db(transaction=True)
def test_a_change_that_commits_after_a_concurrent_pull_returned_is_in_the_next_pull():
    for _ in range(3):
        me, partner = UserFactory.create(), UserFactory.create()
        couple = pair(me, partner)
        client = AppClient().sign_in(me)
        cursor = _pull(client)["timestamp"]
        late = _ritual(couple, "committed late")
        stamped, pulled = threading.Event(), threading.Event()

        def writer(ritual=late, stamped=stamped, pulled=pulled):
            try:
                with transaction.atomic():
                    ritual.save(force_insert=True)  # stamps the change (and locks the counters) here
                    stamped.set()
                    assert pulled.wait(10), "the pull never returned"
            finally:
                connection.close()

        thread = threading.Thread(target=writer)
        thread.start()
        assert stamped.wait(10)
        during = _pull(client, cursor)  # the writer has stamped but not committed
        pulled.set()
        thread.join(10)

        assert str(late.id) not in str(during)
        after = _pull(client, during["timestamp"])
        assert str(late.id) in {r["id"] for r in after["changes"]["rituals"]["updated"]}


@pytest.mark.django_db(transaction=True)
def test_a_second_writer_waits_for_the_first_so_versions_follow_commit_order():
    me, partner = UserFactory.create(), UserFactory.create()
    couple = pair(me, partner)
    client = AppClient().sign_in(me)
    cursor = _pull(client)["timestamp"]
    first, second = _ritual(couple, "first"), _ritual(couple, "second")
    first_stamped, release_first, second_done = threading.Event(), threading.Event(), threading.Event()

    def slow_writer():
        try:
            with transaction.atomic():
                first.save(force_insert=True)
                first_stamped.set()
                assert release_first.wait(10)
        finally:
            connection.close()

    def quick_writer():
        try:
            second.save(force_insert=True)  # must wait on the counter row the slow writer holds
            second_done.set()
        finally:
            connection.close()

    slow = threading.Thread(target=slow_writer)
    slow.start()
    assert first_stamped.wait(10)
    quick = threading.Thread(target=quick_writer)
    quick.start()
    assert not second_done.wait(0.5), "the second writer got a version while the first still held it"
    middle = _pull(client, cursor)
    release_first.set()
    slow.join(10)
    quick.join(10)

    assert not middle["changes"]["rituals"]["updated"]
    after = _pull(client, middle["timestamp"])
    assert {r["title"] for r in after["changes"]["rituals"]["updated"]} == {"first", "second"}
