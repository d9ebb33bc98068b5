"""A fake identity provider on loopback: serves JWKS key sets and mints tokens with local RSA keys.

Never the real Apple or Google: tests point APPLE_JWKS_URL / GOOGLE_JWKS_URL at this server
(`/apple/keys`, `/google/certs`). Each provider has its own RSA keys, generated per test session; a
test can rotate in a new key (`rotate`), change the Cache-Control header the set is served with, or
make the server fail, and reads how many times each set was fetched.
"""

import errno
import hashlib
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

PORTS = range(19500, 19600)  # this worktree's loopback port range
APPLE_ISSUER = "https://appleid.apple.com"
GOOGLE_ISSUER = "https://accounts.google.com"
APPLE_AUDIENCE = "com.example.couples.test"
GOOGLE_AUDIENCE = "test-ios.apps.googleusercontent.com"
PATHS = {"apple": "/apple/keys", "google": "/google/certs"}


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Provider:
    name: str
    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)
    cache_control: str = "public, max-age=3600"
    failing: bool = False
    fetches: int = 0

    def current_kid(self) -> str:
        return list(self.keys)[-1]

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid, key in self.keys.items():
            jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
            keys.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})
        return {"keys": keys}


class FakeIdentityProvider:
    def __init__(self) -> None:
        self.providers = {name: Provider(name) for name in PATHS}
        for provider in self.providers.values():
            provider.keys[f"{provider.name}-key-1"] = new_key()
        self.requests: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.server = self._bind()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _bind(self) -> ThreadingHTTPServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider = next((p for name, p in fake.providers.items() if PATHS[name] == self.path), None)
                if provider is None or provider.failing:
                    self.send_response(404 if provider is None else 503)
                    self.end_headers()
                    return
                with fake.lock:
                    provider.fetches += 1
                    body = json.dumps(provider.jwks()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Cache-Control", provider.cache_control)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        for port in PORTS:
            try:
                return ThreadingHTTPServer(("127.0.0.1", port), Handler)
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE:
                    raise
        raise RuntimeError("no free port in 19500-19599")

    def url(self, provider: str) -> str:
        return self.base_url + PATHS[provider]

    def rotate(self, provider: str) -> str:
        """Adds a new signing key (served from now on) and returns its kid."""
        entry = self.providers[provider]
        kid = f"{provider}-key-{len(entry.keys) + 1}"
        with self.lock:
            entry.keys[kid] = new_key()
        return kid

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- tokens ------------------------------------------------------------------------------------

    def token(
        self,
        provider: str,
        *,
        sub: str = "000123.abc",
        email: str | None = "sam@privaterelay.appleid.com",
        email_verified: Any = True,
        nonce: str | None = "raw-nonce",
        audience: str | None = None,
        issuer: str | None = None,
        expires_in: int = 600,
        kid: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
        extra: dict[str, Any] | None = None,
        drop: tuple[str, ...] = (),
    ) -> str:
        """A signed identity token as the provider would issue it.

        For Apple the `nonce` claim is sha256(raw nonce) (hex), as the app sends Apple the hash;
        for Google it is the nonce itself.
        """
        entry = self.providers[provider]
        kid = kid or entry.current_kid()
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": issuer or (APPLE_ISSUER if provider == "apple" else GOOGLE_ISSUER),
            "aud": audience or (APPLE_AUDIENCE if provider == "apple" else GOOGLE_AUDIENCE),
            "sub": sub,
            "iat": now - 5,
            "exp": now + expires_in,
        }
        if email is not None:
            claims["email"] = email
            claims["email_verified"] = (
                ("true" if email_verified else "false") if provider == "apple" else bool(email_verified)
            )
        if provider == "apple" and email and email.endswith("@privaterelay.appleid.com"):
            claims["is_private_email"] = "true"
        if nonce is not None:
            claims["nonce"] = sha256_hex(nonce) if provider == "apple" else nonce
        claims.update(extra or {})
        for name in drop:
            claims.pop(name, None)
        return jwt.encode(claims, key or entry.keys[kid], algorithm="RS256", headers={"kid": kid})

    def apple_notification(
        self,
        event_type: str,
        *,
        sub: str = "000123.abc",
        email: str = "",
        event_time_ms: int | None = None,
        **kwargs: Any,
    ) -> str:
        """Apple's signed server-to-server notification (`{"payload": <this>}`)."""
        events: dict[str, Any] = {
            "type": event_type,
            "sub": sub,
            "event_time": event_time_ms or int(time.time() * 1000),
        }
        if email:
            events["email"] = email
            events["is_private_email"] = "true"
        entry = self.providers["apple"]
        now = int(time.time())
        claims = {
            "iss": APPLE_ISSUER,
            "aud": APPLE_AUDIENCE,
            "iat": now,
            "jti": f"jti-{now}",
            "events": json.dumps(events),
        }
        claims.update(kwargs.pop("extra", {}))
        kid = entry.current_kid()
        return jwt.encode(claims, kwargs.pop("key", None) or entry.keys[kid], algorithm="RS256", headers={"kid": kid})
