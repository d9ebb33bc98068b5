"""BOLA matrix entries of Sign in with Apple / Google, linked identities and e-mail verification."""

from typing import Any

from identity.models import SocialIdentity
from identity.services.social import _link_token
from identity.tokens import ProviderIdentity
from tests.bola.spec import Route, World


def populate(world: World) -> None:
    world.objects["identity"] = SocialIdentity.objects.create(
        user=world.me, provider="apple", subject="victim-apple-sub", email="victim@privaterelay.appleid.com"
    )


def _victims_link_token(world: World) -> dict[str, Any]:
    """A genuine link token for the victim's address (as any Google account with that address gets),
    with a wrong password: the takeover guard must hold."""
    identity = ProviderIdentity(
        provider="google", subject="attacker-sub", email=world.me.email, email_verified=True, is_private_email=False
    )
    return {"link_token": _link_token(identity), "password": "not-the-victims-password"}


ROUTES: dict[str, Route] = {
    "auth-apple": Route(("POST",), public=True, bodies={"POST": {"identity_token": "x.y.z", "nonce": "n"}}),
    "auth-google": Route(("POST",), public=True, bodies={"POST": {"id_token": "x.y.z"}}),
    "auth-apple-notifications": Route(("POST",), public=True, bodies={"POST": {"payload": "x.y.z"}}),
    "auth-social-link": Route(("POST",), public=True, bodies={"POST": _victims_link_token}),
    "auth-social-link-code": Route(("POST",), public=True, bodies={"POST": {"link_token": "forged"}}),
    "auth-email-verify-request": Route(("POST",)),
    "auth-email-verify-confirm": Route(("POST",), bodies={"POST": {"code": "123456"}}),
    # Claiming the victim's address: refused (taken), and nothing of theirs in the answer.
    "me-email": Route(("POST",), bodies={"POST": lambda w: {"email": w.me.email, "password": "x"}}),
    "me-identities": Route(("GET", "POST"), bodies={"POST": {"provider": "apple", "token": "x.y.z", "nonce": "n"}}),
    "me-identity-detail": Route(("DELETE",), object_kwargs=lambda w: {"identity_id": w.objects["identity"].pk}),
}
