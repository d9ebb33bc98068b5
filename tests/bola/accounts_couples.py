"""BOLA matrix entries of the account, device, couple and documentation routes."""

from couples.models import Invite
from tests.bola.spec import Route, World
from tests.factories import DeviceFactory


def populate(world: World) -> None:
    """Objects of the victims that these routes could address."""
    world.objects["device"] = DeviceFactory.create(user=world.me)
    world.objects["invite"] = Invite.objects.create(
        inviter=world.me,
        code="VICTIM23",
        expires_at=world.couple.created_at,
        accepted_at=world.couple.created_at,
        couple=world.couple,
    )


ROUTES: dict[str, Route] = {
    # accounts
    "auth-register": Route(("POST",), public=True, bodies={"POST": {"email": "x@example.com", "password": "pw"}}),
    "auth-token": Route(("POST",), public=True, bodies={"POST": {"email": "me@example.com", "password": "wrong"}}),
    "auth-token-refresh": Route(("POST",), public=True, bodies={"POST": {"refresh": "not-a-token"}}),
    "auth-logout": Route(("POST",)),
    "auth-logout-all": Route(("POST",)),
    "auth-password-change": Route(("POST",), bodies={"POST": {"current_password": "x", "new_password": "y"}}),
    "auth-password-reset": Route(("POST",), public=True, bodies={"POST": {"email": "me@example.com"}}),
    "auth-password-reset-confirm": Route(
        ("POST",), public=True, bodies={"POST": {"uid": "bWU", "token": "x", "new_password": "long-enough-pass"}}
    ),
    "me": Route(("GET", "PATCH", "DELETE"), bodies={"PATCH": {"display_name": "Mallory"}, "DELETE": {"password": "x"}}),
    "me-export": Route(("GET",)),
    "devices": Route(("GET", "POST"), bodies={"POST": {"platform": "ios", "push_token": "attacker-token"}}),
    "device-detail": Route(("DELETE",), object_kwargs=lambda w: {"device_id": w.objects["device"].pk}),
    # couples
    "couple": Route(("GET", "PATCH"), bodies={"PATCH": {"together_since": "2020-01-01"}}),
    "couple-invites": Route(("GET", "POST")),
    "couple-invite-detail": Route(("DELETE",), object_kwargs=lambda w: {"invite_id": w.objects["invite"].pk}),
    "couple-join": Route(("POST",), bodies={"POST": {"code": "UNKNOWN1"}}),
    "couple-unpair": Route(("POST",), bodies={"POST": {"confirm": True}}),
    # documentation
    "schema": Route(("GET",), public=True),
    "swagger-ui": Route(("GET",), public=True),
}
