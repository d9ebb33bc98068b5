"""Fixtures of the date tests: the fake FCM server of the notification tests."""

from tests.notifications.conftest import fcm

__all__ = ["fcm"]
