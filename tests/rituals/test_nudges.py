"""Nudges: bids for connection sent to the partner, within a daily quota, and how the partner turns toward them."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from accounts.export import user_data_export
from notifications.models import Notification
from rituals.models import Nudge
from tests.concurrency import race
from tests.conftest import AppClient
from tests.factories import DeviceFactory, UserFactory, pair

pytestmark = pytest.mark.django_db

URL = "/api/v1/nudges"


def _respond_url(nudge_id: object) -> str:
    return f"/api/v1/nudges/{nudge_id}/respond"


def _seen_url(nudge_id: object) -> str:
    return f"/api/v1/nudges/{nudge_id}/seen"


def _error(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def _field_error(response, field: str) -> str:
    assert response.status_code == 400, response.content
    body = response.json()["error"]
    assert body["code"] == "validation_error"
    return body["fields"][field][0]["code"]


def _send(client: AppClient, kind: str = "hug", **extra) -> dict:
    response = client.post(URL, {"kind": kind, **extra})
    assert response.status_code == 201, response.content
    return response.json()


# Sending ------------------------------------------------------------------------------------------


def test_a_hug_reaches_the_partner_at_once(me, partner):
    response = me.post(URL, {"kind": "hug"})

    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "hug"
    assert body["direction"] == "sent"
    # Delivered only once a push reached the partner's phone; the partner has none registered.
    assert body["state"] == "sent"
    assert body["delivered_at"] is None
    assert body["seen_at"] is None
    assert body["response"] == ""
    nudge = Nudge.objects.get(id=body["id"])
    assert (nudge.sender, nudge.recipient) == (me.user, partner.user)
    note = Notification.objects.get(recipient=partner.user)
    assert note.kind == Notification.Kind.NUDGE
    assert note.dedupe_key == f"nudge:{nudge.id}"
    assert note.title == "Me sent you a hug"
    assert note.data == {"screen": "nudges", "nudge_id": str(nudge.id)}
    assert not Notification.objects.filter(recipient=me.user).exists()


@pytest.mark.parametrize("kind", ["hug", "kiss", "thinking_of_you"])
def test_simple_kinds_need_no_message_and_may_carry_a_short_one(me, partner, kind):
    assert _send(me, kind)["message"] == ""
    assert _send(me, kind, message="  miss you  ")["message"] == "miss you"
    assert Nudge.objects.filter(kind=kind).count() == 2


def test_a_short_message_on_a_simple_kind_stays_short(me, partner):
    response = me.post(URL, {"kind": "hug", "message": "x" * 141})
    assert _field_error(response, "message") == "max_length"
    assert not Nudge.objects.exists()


def test_an_appreciation_says_what_is_appreciated(me, partner):
    body = _send(me, "appreciation", message="Thank you for making breakfast")

    assert body["message"] == "Thank you for making breakfast"
    note = Notification.objects.get(recipient=partner.user)
    assert note.title == "Me appreciates you"
    assert note.body == "Thank you for making breakfast"


@pytest.mark.parametrize(
    ("message", "code"),
    [(None, "required"), ("", "required"), ("   \n ", "required"), ("x" * 501, "max_length")],
)
def test_an_appreciation_without_words_or_with_too_many_is_refused(me, partner, message, code):
    body = {"kind": "appreciation"} if message is None else {"kind": "appreciation", "message": message}
    assert _field_error(me.post(URL, body), "message") == code
    assert not Nudge.objects.exists()
    assert not Notification.objects.exists()


def test_an_appreciation_of_500_characters_is_fine(me, partner):
    assert len(_send(me, "appreciation", message="y" * 500)["message"]) == 500


@pytest.mark.parametrize("kind", ["slap", "", None])
def test_an_unknown_kind_is_refused(me, partner, kind):
    body = {} if kind is None else {"kind": kind}
    assert _field_error(me.post(URL, body), "kind") in {"invalid_choice", "required"}


def test_an_unpaired_user_cannot_send_or_list(loner):
    assert _error(loner.post(URL, {"kind": "hug"})) == (404, "not_paired")
    assert _error(loner.get(URL)) == (404, "not_paired")
    assert not Nudge.objects.exists()


def test_a_client_id_makes_a_send_idempotent(me, partner, settings):
    settings.NUDGE_DAILY_QUOTA = 1
    nudge_id = str(uuid.uuid4())

    first = me.post(URL, {"id": nudge_id, "kind": "kiss"})
    replay = me.post(URL, {"id": nudge_id, "kind": "kiss"})

    assert first.status_code == 201
    assert replay.status_code == 200  # a replay, even with the quota used up by the first send
    assert first.json() == replay.json()
    assert first.json()["id"] == nudge_id
    assert Nudge.objects.count() == 1
    assert Notification.objects.filter(recipient=partner.user).count() == 1


def test_someone_elses_nudge_id_cannot_be_taken_over(me, partner, stranger):
    nudge = _send(me)
    response = stranger.post(URL, {"id": nudge["id"], "kind": "hug"})
    assert _error(response) == (409, "nudge_id_taken")
    assert nudge["id"] not in response.content.decode()
    assert _error(partner.post(URL, {"id": nudge["id"], "kind": "hug"})) == (409, "nudge_id_taken")
    assert Nudge.objects.get().sender == me.user


# The daily quota, over the sender's own local day -------------------------------------------------


def _travel(moment: datetime):
    return time_machine.travel(moment, tick=False)


def test_the_quota_resets_at_each_senders_own_local_midnight(me, partner, settings):
    settings.NUDGE_DAILY_QUOTA = 3
    # 22:30 UTC on 10 March 2026: 23:30 in Berlin (me), 18:30 in New York (partner, EDT since 8 March).
    evening = datetime(2026, 3, 10, 22, 30, tzinfo=UTC)
    with _travel(evening):
        for client in (me.sign_in(me.user), partner.sign_in(partner.user)):
            for _ in range(3):
                _send(client)
        mine, theirs = me.post(URL, {"kind": "hug"}), partner.post(URL, {"kind": "hug"})
        assert _error(mine) == (429, "nudge_quota_exceeded")
        assert mine.json()["error"]["retry_after"] == 30 * 60  # until 00:00 in Berlin
        assert _error(theirs) == (429, "nudge_quota_exceeded")
        assert theirs.json()["error"]["retry_after"] == 5 * 3600 + 30 * 60  # until 00:00 in New York

    with _travel(datetime(2026, 3, 10, 23, 0, tzinfo=UTC)):  # midnight in Berlin, 19:00 in New York
        me.sign_in(me.user), partner.sign_in(partner.user)
        _send(me)
        assert _error(partner.post(URL, {"kind": "hug"})) == (429, "nudge_quota_exceeded")

    with _travel(datetime(2026, 3, 11, 3, 59, 59, tzinfo=UTC)):
        partner.sign_in(partner.user)
        response = partner.post(URL, {"kind": "hug"})
        assert response.json()["error"]["retry_after"] == 1

    with _travel(datetime(2026, 3, 11, 4, 0, tzinfo=UTC)):  # midnight in New York
        partner.sign_in(partner.user)
        _send(partner)

    assert Nudge.objects.filter(sender=me.user).count() == 4
    assert Nudge.objects.filter(sender=partner.user).count() == 4


def test_the_quota_follows_the_sender_when_they_travel(me, partner, settings):
    settings.NUDGE_DAILY_QUOTA = 1
    with _travel(datetime(2026, 6, 1, 8, 0, tzinfo=UTC)):  # 10:00 in Berlin
        me.sign_in(me.user)
        _send(me)
    with _travel(datetime(2026, 6, 1, 20, 0, tzinfo=UTC)):  # 22:00 in Berlin: the same day
        me.sign_in(me.user)
        assert _error(me.post(URL, {"kind": "hug"}))[0] == 429
        # Landed in Tokyo, where it is 05:00 on 2 June: a new local day began at 15:00 UTC.
        assert me.patch("/api/v1/me", {"time_zone": "Asia/Tokyo"}).status_code == 200
        _send(me)


def test_the_default_quota_is_twenty(me, partner, settings):
    del settings.NUDGE_DAILY_QUOTA
    for _ in range(20):
        _send(me)
    assert _error(me.post(URL, {"kind": "hug"})) == (429, "nudge_quota_exceeded")


@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_at_the_quota_edge_never_exceed_it(settings):
    settings.NUDGE_DAILY_QUOTA = 3
    for _ in range(5):
        sender, recipient = UserFactory.create(), UserFactory.create()
        pair(sender, recipient)
        clients = [AppClient().sign_in(sender) for _ in range(6)]
        _send(clients[0])  # one already sent today: two left for six phones

        responses = race(*[lambda c=c: c.post(URL, {"kind": "hug"}) for c in clients])

        assert sorted(r.status_code for r in responses) == [201, 201, 429, 429, 429, 429]
        assert Nudge.objects.filter(sender=sender).count() == 3
        assert Notification.objects.filter(recipient=recipient, kind="nudge").count() == 3


# Seen and respond ---------------------------------------------------------------------------------


def test_the_sender_sees_when_the_partner_saw_the_nudge(me, partner):
    nudge = _send(me)
    with _travel(datetime(2030, 1, 1, 8, 0, tzinfo=UTC)):
        partner.sign_in(partner.user)
        response = partner.post(_seen_url(nudge["id"]))
    assert response.status_code == 200
    assert response.json()["state"] == "seen"
    assert response.json()["direction"] == "received"

    with _travel(datetime(2030, 1, 1, 9, 0, tzinfo=UTC)):
        partner.sign_in(partner.user)
        again = partner.post(_seen_url(nudge["id"]))
    assert again.json()["seen_at"] == response.json()["seen_at"]  # set once, the first time

    mine = me.get(URL).json()["results"][0]
    assert mine["state"] == "seen"
    assert mine["seen_at"] == "2030-01-01T08:00:00Z"
    assert Nudge.objects.get().seen_at == datetime(2030, 1, 1, 8, 0, tzinfo=UTC)


def test_the_partner_turns_toward_a_nudge_once(me, partner):
    nudge = _send(me, "thinking_of_you")

    response = partner.post(_respond_url(nudge["id"]), {"response": "hug_back"})

    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["response"], body["direction"]) == ("responded", "hug_back", "received")
    assert body["seen_at"] is not None  # responding means it was seen
    row = Nudge.objects.get()
    assert row.response == "hug_back"
    assert row.responded_at is not None
    assert row.seen_at == row.responded_at
    note = Notification.objects.get(recipient=me.user)
    assert note.kind == Notification.Kind.NUDGE_RESPONSE
    assert note.title == "Sam hugged you back"
    assert note.dedupe_key == f"nudge_response:{nudge['id']}"
    assert me.get(URL).json()["results"][0]["state"] == "responded"

    # The same response again (an offline retry) is fine; a different one is a conflict.
    assert partner.post(_respond_url(nudge["id"]), {"response": "hug_back"}).status_code == 200
    second = partner.post(_respond_url(nudge["id"]), {"response": "heart"})
    assert _error(second) == (409, "already_responded")
    assert Nudge.objects.get().response == "hug_back"
    assert Notification.objects.filter(recipient=me.user).count() == 1


def test_a_text_reply_needs_text_and_only_a_text_reply_carries_it(me, partner):
    nudge = _send(me)
    url = _respond_url(nudge["id"])
    assert _field_error(partner.post(url, {"response": "text"}), "text") == "required"
    assert _field_error(partner.post(url, {"response": "text", "text": "  "}), "text") == "required"
    assert _field_error(partner.post(url, {"response": "text", "text": "z" * 501}), "text") == "max_length"
    assert _field_error(partner.post(url, {"response": "heart", "text": "hi"}), "text") == "not_allowed"
    assert _field_error(partner.post(url, {"response": "wave"}), "response") == "invalid_choice"
    assert Nudge.objects.get().response == ""

    body = partner.post(url, {"response": "text", "text": " Love you too "}).json()
    assert (body["response"], body["response_text"]) == ("text", "Love you too")
    assert Notification.objects.get(recipient=me.user).body == "Love you too"


def test_only_the_recipient_responds_or_marks_seen(me, partner):
    nudge = _send(me)
    assert _error(me.post(_respond_url(nudge["id"]), {"response": "heart"})) == (409, "not_recipient")
    assert _error(me.post(_seen_url(nudge["id"]))) == (409, "not_recipient")
    row = Nudge.objects.get()
    assert (row.response, row.seen_at) == ("", None)


def test_another_couple_and_an_ex_partner_get_404(me, partner, stranger):
    nudge = _send(me)
    for url, body in ((_respond_url(nudge["id"]), {"response": "heart"}), (_seen_url(nudge["id"]), None)):
        response = stranger.post(url, body)
        assert _error(response) == (404, "not_found")
        assert nudge["id"] not in response.content.decode()
    assert _error(partner.post(_respond_url(uuid.uuid4()), {"response": "heart"})) == (404, "not_found")

    partner.post("/api/v1/couple/unpair", {"confirm": True})
    assert _error(partner.post(_seen_url(nudge["id"]))) == (404, "not_paired")
    assert Nudge.objects.get().seen_at is None


# The feed ----------------------------------------------------------------------------------------


def test_the_feed_has_both_directions_newest_first_for_the_couple_only(me, partner, stranger):
    base = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    for minutes, (client, kind) in enumerate([(me, "hug"), (partner, "kiss"), (me, "thinking_of_you")]):
        with _travel(base + timedelta(minutes=minutes)):
            client.sign_in(client.user)
            _send(client, kind)
    _send(stranger)
    me.sign_in(me.user), partner.sign_in(partner.user)  # the tokens minted in 2026-05 have expired

    mine = me.get(URL).json()
    theirs = partner.get(URL).json()

    assert [(n["kind"], n["direction"]) for n in mine["results"]] == [
        ("thinking_of_you", "sent"),
        ("kiss", "received"),
        ("hug", "sent"),
    ]
    assert [n["direction"] for n in theirs["results"]] == ["received", "sent", "received"]
    assert stranger.get(URL).json()["results"][0]["kind"] == "hug"
    assert len(stranger.get(URL).json()["results"]) == 1


def test_the_feed_is_cursor_paginated(me, partner):
    for _ in range(5):
        _send(me)
    first = me.get(URL, {"page_size": 2}).json()
    assert len(first["results"]) == 2
    assert first["next"]
    second = me.get(first["next"]).json()
    assert len(second["results"]) == 2
    assert not {n["id"] for n in first["results"]} & {n["id"] for n in second["results"]}


def _bulk_nudges(sender, recipient, couple, count: int) -> None:
    Nudge.objects.bulk_create(
        [Nudge(couple=couple, sender=sender, recipient=recipient, kind="hug") for _ in range(count)]
    )


@pytest.mark.parametrize("count", [1, 30])
def test_the_feed_takes_two_queries_whatever_the_number_of_nudges(
    me, partner, couple, count, django_assert_num_queries
):
    _bulk_nudges(me.user, partner.user, couple, count)
    with django_assert_num_queries(2):  # session+user with my membership+couple, the page
        response = me.get(URL, {"page_size": 100})
    assert len(response.json()["results"]) == count


def test_sending_takes_a_fixed_number_of_queries(me, partner, django_assert_num_queries):
    _send(me)
    # session+user with membership+couple and the partner, savepoint x2, lock sender, quota count, insert,
    # notify
    # + 1 for sync, once for the nudge and its notification: the counter bump with the state upsert
    # in one statement (sync.changes.stamped_once; who holds the record: couples.selectors.known_members).
    # + 1: the message copy of the notification (messaging.render.Copy.load).
    with django_assert_num_queries(9):
        _send(me)
    with django_assert_num_queries(10):  # + the idempotency lookup of a client id
        _send(me, id=str(uuid.uuid4()))


def test_respond_and_seen_take_a_fixed_number_of_queries(me, partner, django_assert_num_queries):
    nudge = _send(me)
    # session+user with membership+couple, the nudge, the claim; the service's transaction is a
    # savepoint inside the test's transaction (two more statements), a BEGIN/COMMIT in production.
    # + 1 for sync: the counter bump with the state upsert (sync.changes).
    with django_assert_num_queries(6):
        partner.post(_seen_url(nudge["id"]))
    # session+user with membership+couple, the nudge, savepoint, lock (with the sender), update, notify, release
    # + 1 for sync, once for the nudge and the notification (sync.changes.stamped_once).
    # + 1: the message copy of the notification (messaging.render.Copy.load).
    with django_assert_num_queries(9):
        partner.post(_respond_url(nudge["id"]), {"response": "heart"})


# Export and admin --------------------------------------------------------------------------------


def test_the_export_has_the_nudges_i_sent_and_received(me, partner, stranger):
    sent = _send(me, "appreciation", message="You are kind")
    received = _send(partner, "kiss", message="mwah")
    _send(stranger)

    rows = {row["id"]: row for row in user_data_export(user=me.user)["nudges"]}

    assert set(rows) == {sent["id"], received["id"]}
    assert (rows[sent["id"]]["direction"], rows[sent["id"]]["message"]) == ("sent", "You are kind")
    assert (rows[received["id"]]["direction"], rows[received["id"]]["kind"]) == ("received", "kiss")
    assert rows[received["id"]]["message"] == "mwah"


def test_the_admin_list_never_shows_the_words(me, partner):
    nudge = _send(me, "appreciation", message="secret-appreciation-words")
    partner.post(_respond_url(nudge["id"]), {"response": "text", "text": "secret-reply-words"})
    staff = Client()
    staff.force_login(UserFactory.create(email="admin@example.com", is_staff=True, is_superuser=True))

    listing = staff.get("/admin/rituals/nudge/")
    detail = staff.get(f"/admin/rituals/nudge/{nudge['id']}/change/")

    assert listing.status_code == 200
    assert nudge["id"] in listing.content.decode()
    assert "secret-appreciation-words" not in listing.content.decode()
    assert "secret-reply-words" not in listing.content.decode()
    assert detail.status_code == 200


def test_a_nudge_is_delivered_when_its_push_reaches_the_partners_phone(me, partner, django_capture_on_commit_callbacks):
    DeviceFactory.create(user=partner.user)
    with django_capture_on_commit_callbacks(execute=True):  # the push is queued after commit
        sent = _send(me)

    nudge = Nudge.objects.get(id=sent["id"])
    assert nudge.delivered_at is not None
    assert Notification.objects.get(recipient=partner.user).push_state == Notification.PushState.SENT
    assert me.get(URL).json()["results"][0]["state"] == "delivered"


def test_a_nudge_held_by_quiet_hours_is_not_delivered_yet(me, partner, django_capture_on_commit_callbacks):
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from notifications.models import NotificationPreference

    DeviceFactory.create(user=partner.user)
    local_now = timezone.now().astimezone(ZoneInfo(partner.user.time_zone))
    NotificationPreference.objects.create(
        user=partner.user,
        quiet_hours_start=(local_now - timedelta(hours=1)).time(),
        quiet_hours_end=(local_now + timedelta(hours=1)).time(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        sent = _send(me)

    assert Nudge.objects.get(id=sent["id"]).delivered_at is None
    assert Notification.objects.get(recipient=partner.user).push_state == Notification.PushState.HELD
