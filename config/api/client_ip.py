"""The client's IP address, as far as it can be trusted."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address rate limits are keyed on.

    With `TRUSTED_PROXY_COUNT = 0` (the default) X-Forwarded-For is ignored: anyone can send that
    header, so trusting it would let a client pick a fresh address per request. With N trusted
    proxies in front of the app, each appends the address it received the request from, so the
    client is the N-th entry from the right; anything left of it was written by the client.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
