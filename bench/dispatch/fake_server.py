"""The fake FCM server of the tests (tests/notifications/fake_fcm.py) in a process of its own.

Its own process, so its request handling does not share a GIL with the runner's dispatcher. The
parent talks to it over stdin/stdout, one line each way:

    started          -> {"url": "http://127.0.0.1:PORT"}
    count            -> {"received": N, "cpu": seconds}
    dump PATH        -> {"dumped": N}   (PATH: JSON [[received_at, collapse_id, token], ...])
    quit / EOF       -> exits

Two changes from the test defaults, both about loopback plumbing rather than FCM behaviour (see
docs/performance.md): a listen backlog of 1024 instead of socketserver's 5, so hundreds of client
connections opening at once are not reset; and TCP_NODELAY on the answers, so the header and body
writes of each answer do not wait ~40 ms on Nagle's algorithm against the client's delayed ACK.
`--stock` keeps both defaults.
"""

import argparse
import json
import resource
import socketserver
import sys
import time
from http.server import ThreadingHTTPServer
from typing import Any

from tests.notifications.fake_fcm import fake_fcm_server


class ReceivedLog(list[Any]):
    """Stands in for FakeFcm.received: keeps (receive time, collapse id, token) instead of bodies.

    The fake server appends under its lock, right after its simulated latency, when it "accepts"
    the message; that instant is the receive time."""

    def append(self, body: Any) -> None:
        message = body.get("message", {})
        super().append((time.time(), message.get("android", {}).get("collapse_key", ""), message.get("token", "")))


def serve(latency: float, stock: bool) -> None:
    if not stock:
        ThreadingHTTPServer.request_queue_size = 1024
        socketserver.StreamRequestHandler.disable_nagle_algorithm = True
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
    parser.add_argument("--stock", action="store_true", help="keep socketserver's backlog and Nagle defaults")
    args = parser.parse_args()
    # Also ends when the parent dies without saying quit: its stdin closes.
    serve(args.latency, args.stock)


if __name__ == "__main__":
    main()
