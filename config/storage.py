"""Where date-memory photos are stored in production, read from the environment.

`config/settings/production.py` puts this into `STORAGES["memories"]`; the S3 tests
(tests/dates/test_memories_s3.py) build the same entry from the same variables, pointed at an S3
server on loopback, so what they exercise is the production configuration.
"""

from typing import Any

from config.env import env_str


def memories_s3_storage(*, url_seconds: int) -> dict[str, Any] | None:
    """The `STORAGES["memories"]` entry for a private bucket on any S3-compatible store
    (django-storages), or None when `MEMORIES_S3_BUCKET` is unset (the filesystem default stays).

    Objects are private; the API hands out presigned URLs that expire after `url_seconds`.
    https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html
    """
    bucket = env_str("MEMORIES_S3_BUCKET", "")
    if not bucket:
        return None
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env_str("MEMORIES_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("MEMORIES_S3_REGION", "") or None,
            "access_key": env_str("MEMORIES_S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("MEMORIES_S3_SECRET_ACCESS_KEY", "") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": url_seconds,
            "file_overwrite": False,
        },
    }
