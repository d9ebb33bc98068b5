"""The ids the server mints for rows of its busiest tables."""

import uuid

import uuid6


def new_id() -> uuid.UUID:
    """A time-ordered UUID (version 7, RFC 9562): a row inserted with it lands at the end of its
    primary key's index, and of any index keyed by it (a notification's dedupe key names the record),
    not on a random page. For the ids of notifications, completions, check-ins and nudges that the
    server mints; a phone's own ids (offline creation, idempotency) are kept as they come."""
    return uuid.UUID(int=uuid6.uuid7().int)
