import logging

from notifications.push.base import Outcome, PushMessage, PushResult

logger = logging.getLogger("notifications.push")


class ConsoleProvider:
    """Development provider: logs each push instead of sending it."""

    def send(self, messages: list[PushMessage]) -> list[PushResult]:
        for message in messages:
            logger.info("push to …%s: %s | %s | %s", message.token[-6:], message.title, message.body, message.data)
        return [PushResult(Outcome.DELIVERED) for _ in messages]
