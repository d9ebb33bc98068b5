"""The fake FCM server of the tests (tests/notifications/fake_fcm.py) in a process of its own.

Its own process, so its request handling does not share a GIL with the runner's dispatcher. The
parent talks to it over stdin/stdout, one line each way:

    started          -> {"url": "http://127.0.0.1:PORT"}
    count            -> {"received": N, "cpu": seconds}
    dump PATH        -> {"dumped": N}   (PATH: JSON [[received_at, collapse_id, token], ...])
    quit / EOF       -> exits

The server itself is the tests' one, unchanged (an asyncio server with a listen backlog of 1024 and
single-write answers); here only what it records is slimmed down.
"""

import argparse
import json
import resource
import sys
import time
from typing import Any

from tests.notifications.fake_fcm import fake_fcm_server


class ReceivedLog(list[Any]):
    """Stands in for FakeFcm.received: keeps (receive time, collapse id, token) instead of bodies.

    The fake server appends under its lock, right after its simulated latency, when it "accepts"
    the message; that instant is the receive time."""

    def append(self, body: Any) -> None:
        message = body.get("message", {})
        super().append((time.time(), message.get("android", {}).get("collapse_key", ""), message.get("token", "")))


def serve(latency: float) -> None:
    with fake_fcm_server(latency=latency) as fake:
        fake.received = ReceivedLog()
        _reply({"url": fake.url})
        for line in sys.stdin:
            command, _, argument = line.strip().partition(" ")
            if command == "count":
                usage = resource.getrusage(resource.RUSAGE_SELF)
                _reply({"received": len(fake.received), "cpu": usage.ru_utime + usage.ru_stime})
            elif command == "dump":
                with fake.lock:
                    rows = list(fake.received)
                with open(argument, "w") as out:
                    json.dump(rows, out)
                _reply({"dumped": len(rows)})
            elif command == "quit":
                break
            else:
                _reply({"error": f"unknown command {command!r}"})


def _reply(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds each request takes (default 0.05)")
    args = parser.parse_args()
    # Also ends when the parent dies without saying quit: its stdin closes.
    serve(args.latency)


if __name__ == "__main__":
    main()
