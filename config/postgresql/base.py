"""Django's PostgreSQL backend, with `timestamptz` values loaded by psycopg's C loader.

Django loads every `timestamptz` through its own loader class (`psycopg_any.BaseTzLoader`), a
subclass of psycopg's pure-Python one that parses the text and then replaces the zone with the
connection's. psycopg's C loader (psycopg[binary]) parses the same text four times faster (3.3 ->
0.8 us a value), and already answers in the connection's zone, which Django sets to UTC: a list of
twenty notifications or a pull's completions loads dozens of them (docs/performance.md). With any
other connection zone Django's own loader stays.
"""

from datetime import UTC
from typing import Any

from django.db.backends.postgresql import base
from psycopg import adapters
from psycopg.abc import AdaptContext, Loader
from psycopg.pq import Format
from psycopg.types.datetime import TimestamptzLoader

_TIMESTAMPTZ = adapters.types["timestamptz"].oid
# The C loader where psycopg[binary] (or psycopg[c]) is installed, the Python one otherwise.
_FASTEST: type[Loader] = adapters.get_loader(_TIMESTAMPTZ, Format.TEXT) or TimestamptzLoader


class UTCTimestamptzLoader(TimestamptzLoader):
    # What Django's create_cursor compares with the connection's zone before it registers its own
    # loader on the cursor (an adapters map copied per cursor).
    timezone = UTC

    def __init__(self, oid: int, context: AdaptContext | None = None) -> None:
        super().__init__(oid, context)
        # An instance attribute, so the cursor calls the C loader's method with no Python frame between.
        self.load = _FASTEST(oid, context).load  # type: ignore[method-assign]


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        if self.timezone_name == "UTC":  # USE_TZ, the database's default TIME_ZONE
            connection.adapters.register_loader(_TIMESTAMPTZ, UTCTimestamptzLoader)
        return connection
