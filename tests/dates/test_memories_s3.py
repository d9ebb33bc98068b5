"""Memory photos on the production storage: a private S3 bucket, served only by presigned URLs.

An S3 protocol server (moto's, in a thread) listens on a free loopback port. Each test sets the
MEMORIES_S3_* variables production reads, builds `STORAGES["memories"]` with the same function
production.py calls (config/storage.py) and points the memory fields at it, then drives the API.
"""

import io
import json
import os
import secrets
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.core.files.storage import storages
from moto.server import ThreadedMotoServer
from PIL import Image
from storages.backends.s3 import S3Storage

from config.storage import memories_s3_storage
from dates.models import DateMemory
from tests.dates.helpers import make_plan, url
from tests.dates.test_memories import GPS_IFD, _jpeg_with_gps, _png, _upload
from tests.factories import PASSWORD
from tests.test_production_settings import _env, _json_of, _run

REGION = "eu-central-1"
ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key"


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)  # port 0: any free port
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@dataclass
class Bucket:
    name: str
    endpoint: str
    client: Any

    def object_keys(self) -> list[str]:
        return [o["Key"] for o in self.client.list_objects_v2(Bucket=self.name).get("Contents", [])]

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


@pytest.fixture
def bucket(s3_endpoint, monkeypatch, settings) -> Bucket:
    """A fresh private bucket, configured through production's variables and storage entry."""
    name = f"memories-{secrets.token_hex(4)}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    for variable, value in {
        "MEMORIES_S3_BUCKET": name,
        "MEMORIES_S3_ENDPOINT_URL": s3_endpoint,
        "MEMORIES_S3_REGION": REGION,
        "MEMORIES_S3_ACCESS_KEY_ID": ACCESS_KEY,
        "MEMORIES_S3_SECRET_ACCESS_KEY": SECRET_KEY,
    }.items():
        monkeypatch.setenv(variable, value)
    settings.MEMORY_PHOTO_URL_SECONDS = 240  # not the default, so the test sees it reach the URL
    settings.STORAGES = {
        **settings.STORAGES,
        "memories": memories_s3_storage(url_seconds=settings.MEMORY_PHOTO_URL_SECONDS),
    }
    storage = storages["memories"]
    assert isinstance(storage, S3Storage)
    # The fields resolve their storage once, when the model is imported (under the test settings).
    for field in ("photo", "thumbnail"):
        monkeypatch.setattr(DateMemory._meta.get_field(field), "storage", storage)
    return Bucket(name=name, endpoint=s3_endpoint, client=client)


@pytest.fixture
def past_date(couple, me_user):
    return make_plan(couple, me_user, status="accepted", on=datetime.now(UTC).date() - timedelta(days=1))


def test_the_production_settings_put_the_memory_fields_on_this_bucket(bucket):
    """The wiring the other tests take for granted: production.py, loaded for real in a fresh
    interpreter with only the MEMORIES_S3_* variables, stores memory photos in the bucket."""
    variables = {name: os.environ[name] for name in os.environ if name.startswith("MEMORIES_S3_")}
    result = _run(
        """
        import json, django
        django.setup()
        from django.core.files.base import ContentFile
        from dates.models import DateMemory

        storage = DateMemory._meta.get_field("thumbnail").storage
        name = storage.save("memories/probe.jpg", ContentFile(b"probe"))
        print(json.dumps({
            "class": type(storage).__name__, "acl": storage.default_acl, "name": name, "url": storage.url(name)
        }))
        """,
        _env(MEMORY_PHOTO_URL_SECONDS="240", **variables),
    )
    wired = _json_of(result)
    assert (wired["class"], wired["acl"]) == ("S3Storage", "private")
    assert bucket.object_keys() == [wired["name"]]
    assert parse_qs(urlsplit(wired["url"]).query)["X-Amz-Expires"] == ["240"]
    assert _get(wired["url"]) == (200, b"probe")


def _get(link: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(link, timeout=10) as response:  # noqa: S310 (the loopback S3 server)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _post_photo(client, plan, data: bytes, **fields: Any) -> dict[str, Any]:
    response = client.post(url(plan, "memory"), {**fields, "photo": _upload(data)}, format="multipart")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_photo_and_its_thumbnail_are_private_objects_re_encoded_without_exif(me, past_date, couple, bucket):
    body = _post_photo(me, past_date, _jpeg_with_gps(), rating=5, note="Best pasta ever")

    memory = DateMemory.objects.get()
    assert set(bucket.object_keys()) == {memory.photo.name, memory.thumbnail.name}
    assert all(key.startswith(f"memories/{couple.pk}/") and key.endswith(".jpg") for key in bucket.object_keys())
    photo = Image.open(io.BytesIO(bucket.read(memory.photo.name)))
    assert (photo.format, photo.size) == ("JPEG", (1200, 800))
    assert GPS_IFD not in photo.getexif()
    assert not photo.getexif()
    assert "exif" not in photo.info
    assert max(Image.open(io.BytesIO(bucket.read(memory.thumbnail.name))).size) == 320
    for key in (memory.photo.name, memory.thumbnail.name):
        head = bucket.client.head_object(Bucket=bucket.name, Key=key)
        assert head["ContentType"] == "image/jpeg"
        grants = bucket.client.get_object_acl(Bucket=bucket.name, Key=key)["Grants"]
        assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner alone
        assert grants[0]["Grantee"]["Type"] == "CanonicalUser"
        # Nobody without a signature gets the bytes: not the plain URL of the object.
        assert _get(f"{bucket.endpoint}/{bucket.name}/{key}")[0] == 403
    assert body["photo_url"] != body["thumbnail_url"]


def test_the_api_hands_out_presigned_urls_of_the_configured_lifetime(me, partner, past_date, bucket, settings):
    body = _post_photo(me, past_date, _png())
    memory = DateMemory.objects.get()

    (shown,) = partner.get(url(past_date)).json()["memories"]
    for link, key in ((body["photo_url"], memory.photo.name), (shown["thumbnail_url"], memory.thumbnail.name)):
        parts = urlsplit(link)
        assert f"{parts.scheme}://{parts.netloc}" == bucket.endpoint
        assert parts.path == f"/{bucket.name}/{key}"
        query = parse_qs(parts.query)
        assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
        assert query["X-Amz-Expires"] == [str(settings.MEMORY_PHOTO_URL_SECONDS)]
        assert query["X-Amz-Signature"][0]
        assert ACCESS_KEY in query["X-Amz-Credential"][0]
        status, data = _get(link)
        assert status == 200
        assert data == bucket.read(key)
        assert Image.open(io.BytesIO(data)).format == "JPEG"


def test_a_new_photo_replaces_the_old_objects(me, past_date, bucket, django_capture_on_commit_callbacks):
    _post_photo(me, past_date, _png())
    first = set(bucket.object_keys())
    with django_capture_on_commit_callbacks(execute=True):
        _post_photo(me, past_date, _jpeg_with_gps((400, 300)))
    memory = DateMemory.objects.get()
    assert set(bucket.object_keys()) == {memory.photo.name, memory.thumbnail.name}
    assert not first & set(bucket.object_keys())


def test_deleting_the_account_removes_the_objects(me, partner, past_date, bucket, django_capture_on_commit_callbacks):
    _post_photo(me, past_date, _png())
    _post_photo(partner, past_date, _png())
    partners_keys = {
        name for m in DateMemory.objects.filter(author=partner.user) for name in (m.photo.name, m.thumbnail.name)
    }
    assert len(bucket.object_keys()) == 4

    with django_capture_on_commit_callbacks(execute=True):
        assert me.delete("/api/v1/me", {"password": PASSWORD}, format="json").status_code == 204

    assert set(bucket.object_keys()) == partners_keys  # the partner's memory is theirs, and stays


def test_after_unpairing_the_objects_stay_with_their_author_until_the_account_goes(
    me, past_date, bucket, django_capture_on_commit_callbacks
):
    _post_photo(me, past_date, _png())
    with django_capture_on_commit_callbacks(execute=True):
        assert me.post("/api/v1/couple/unpair", {"confirm": True}).status_code == 204
    # The memory is its author's (it is in their export), but no API hands out a URL to it any more.
    assert len(bucket.object_keys()) == 2
    assert me.get(url(past_date)).status_code == 404
    assert [m["has_photo"] for m in me.get("/api/v1/me/export").json()["date_memories"]] == [True]

    with django_capture_on_commit_callbacks(execute=True):
        assert me.delete("/api/v1/me", {"password": PASSWORD}, format="json").status_code == 204
    assert bucket.object_keys() == []


def test_a_store_refusing_the_delete_does_not_fail_the_committed_account_deletion(
    me, past_date, bucket, django_capture_on_commit_callbacks, caplog
):
    _post_photo(me, past_date, _png())
    keys = set(bucket.object_keys())
    bucket.client.put_bucket_policy(
        Bucket=bucket.name,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:DeleteObject",
                        "Resource": f"arn:aws:s3:::{bucket.name}/*",
                    }
                ],
            }
        ),
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = me.delete("/api/v1/me", {"password": PASSWORD}, format="json")

    # The account is gone (committed) and the answer says so; each object left behind is logged by
    # its key, for the operator to remove.
    assert response.status_code == 204
    assert not DateMemory.objects.exists()
    assert set(bucket.object_keys()) == keys
    assert {record.key for record in caplog.records if record.msg == "memory photo not deleted"} == keys
