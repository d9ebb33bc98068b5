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
        self.statements: list[tuple[int, str]] = []  # (index in messages, SQL) of each statement sent

    @property
    def count(self) -> int:
        return _turns(self.messages)

    @property
    def of_pipelined_transaction(self) -> int:
        """The round trips of the first transaction that `config.db.atomic_write` opened: from its
        BEGIN (sent in the pipeline, so parsed as a statement) to the server's ReadyForQuery after
        its COMMIT (the pipeline's one Sync). Not the request's session query before it, nor what
        runs after COMMIT (on-commit hooks: in the tests, pushes are sent eagerly)."""
        begin = next(index for index, sql in self.statements if sql == "BEGIN")
        ready = next(i for i in range(begin, len(self.messages)) if self.messages[i] == ("B", "ReadyForQuery"))
        return _turns(self.messages[begin : ready + 1])

    def sent(self, message: str) -> int:
        return sum(1 for direction, name in self.messages if (direction, name) == ("F", message))


def _turns(messages: list[tuple[str, str]]) -> int:
    directions = [direction for direction, _message in messages]
    return sum(1 for sent, received in itertools.pairwise(directions) if (sent, received) == ("F", "B"))


def _sql(name: str, message: str) -> str:
    """The statement of a traced `Query\t "SQL"` or `Parse\t "statement name" "SQL" n types…`."""
    text = message.split('"', 3)[3] if name == "Parse" else message.split('"', 1)[1]
    return text.rsplit('"', 1)[0]


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
                name = message.split()[0]
                if (direction, name) in {("F", "Parse"), ("F", "Query")}:
                    result.statements.append((len(result.messages), _sql(name, message)))
                result.messages.append((direction, name))
