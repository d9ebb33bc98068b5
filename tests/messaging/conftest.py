from tests.notifications.conftest import fcm  # noqa: F401  (FCM on loopback, for the pushes sent here)
