"""Counting the round trips to PostgreSQL that a piece of code waits for.

libpq traces every protocol message of a connection, in order, as it sends (F) or receives (B) it.
Each time the trace goes from messages sent to a message received, the client waited for the
server: one round trip, however many statements went out before it (a pipeline sends several).
"""

import itertools
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from psycopg import pq


class RoundTrips:
    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []  # (F or B, message type), in trace order

    @property
    def count(self) -> int:
        directions = [direction for direction, _message in self.messages]
        return sum(1 for sent, received in itertools.pairwise(directions) if (sent, received) == ("F", "B"))


@contextmanager
def round_trips() -> Iterator[RoundTrips]:
    """Traces the default connection's protocol messages in the block (opening it first)."""
    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    result = RoundTrips()
    with tempfile.TemporaryFile() as trace:
        pgconn.trace(trace.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        try:
            yield result
        finally:
            pgconn.untrace()
            trace.seek(0)
            for line in trace.read().decode(errors="replace").splitlines():
                direction, _length, message = line.split("\t", 2)
                result.messages.append((direction, message.split()[0]))
