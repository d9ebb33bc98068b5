"""Broken-object-level-authorization matrix over every route under /api/v1/.

Every URL pattern under /api/v1/ is enumerated from the resolver. For each route and each method it
serves, a user of another couple (`stranger`) and an unpaired user (`loner`) try it against the
objects of me's couple. They must get 404 on anything addressed by id, never see an id or address of
the victims in any response, and never change a row that belongs to the victims.

`test_every_route_is_in_the_matrix` fails when a route is added without an entry here: adding an
endpoint means deciding how it is scoped and testing it.
"""

import json
import pkgutil
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.urls import URLPattern, reverse

import tests.bola
from accounts.models import User
from couples.models import Couple
from tests.bola.spec import Route, World
from tests.conftest import AppClient
from tests.factories import UserFactory, pair
from tests.routes import api_v1_patterns

LOCAL_APPS = ("accounts", "couples", "rituals", "notifications", "billing", "quizzes", "identity", "insights", "dates")


# Every module of tests/bola/ (but spec) is an area with ROUTES and populate(world).
AREAS = [
    import_module(f"tests.bola.{info.name}")
    for info in pkgutil.iter_modules(tests.bola.__path__)
    if info.name != "spec"
]
MATRIX: dict[str, Route] = {name: route for area in AREAS for name, route in area.ROUTES.items()}


def _api_v1_routes() -> dict[str, URLPattern]:
    """Every named URL pattern mounted under api/v1/, found by walking the resolver."""
    found: dict[str, URLPattern] = {}
    for route, pattern in api_v1_patterns():
        assert pattern.name, f"route {route} has no name, so the BOLA matrix cannot track it"
        found[pattern.name] = pattern
    return found


def _served_methods(pattern: URLPattern) -> set[str]:
    view_class = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
    assert view_class is not None, f"{pattern.name} is not a class-based view"
    actions = getattr(pattern.callback, "actions", None)
    if actions:
        return {method.upper() for method in actions}
    return {
        method.upper()
        for method in view_class.http_method_names
        if method not in {"options", "head"} and hasattr(view_class, method)
    }


def test_every_route_is_in_the_matrix() -> None:
    routes = _api_v1_routes()
    missing = sorted(set(routes) - set(MATRIX))
    assert not missing, f"routes without a BOLA matrix entry: {missing}"
    stale = sorted(set(MATRIX) - set(routes))
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"
    for name, pattern in routes.items():
        assert set(MATRIX[name].methods) == _served_methods(pattern), f"{name}: matrix methods differ from the view's"


def _victim_rows(world: World) -> dict[str, list[dict[str, Any]]]:
    """Every row of our apps that is a victim, their couple, or points at one (two FK hops deep)."""
    victims = {User: [world.me.pk, world.partner.pk], Couple: [world.couple.pk]}
    snapshot: dict[str, list[dict[str, Any]]] = {}
    for model in apps.get_models():
        if model._meta.app_label not in (*LOCAL_APPS, "token_blacklist"):
            continue
        condition = _owned_by(model, victims, depth=2)
        if condition is not None:
            snapshot[model._meta.label] = list(model._default_manager.filter(condition).order_by("pk").values())
    return snapshot


def _owned_by(model: type[models.Model], victims: dict[type[models.Model], list[Any]], depth: int) -> Any:
    condition = models.Q(pk__in=victims[model]) if model in victims else None
    if depth == 0:
        return condition
    for fk in model._meta.get_fields():
        if not (isinstance(fk, models.ForeignKey | models.OneToOneField) and fk.concrete):
            continue
        target = fk.related_model
        inner = _owned_by(target, victims, depth - 1) if target is not model else None
        if inner is None:
            continue
        clause = models.Q(**{f"{fk.name}__in": target._default_manager.filter(inner).values("pk")})
        condition = clause if condition is None else condition | clause
    return condition


@pytest.fixture
def world(me_user: User, partner_user: User, couple: Couple) -> World:
    victims = World(me=me_user, partner=partner_user, couple=couple)
    for area in AREAS:
        area.populate(victims)
    AppClient().sign_in(me_user)  # a live session of the victim that attacks must not end
    return victims


def _attackers() -> dict[str, AppClient]:
    stranger = UserFactory.create()
    pair(stranger, UserFactory.create())
    loner = UserFactory.create()
    return {"stranger": AppClient().sign_in(stranger), "loner": AppClient().sign_in(loner)}


def _call(client: AppClient, method: str, url: str, body: dict[str, Any] | None) -> Any:
    return (
        getattr(client, method.lower())(url, body, format="json")
        if body is not None
        else getattr(client, method.lower())(url)
    )


@pytest.mark.django_db
def test_no_route_lets_another_user_read_or_change_my_couples_objects(world: World) -> None:
    before = _victim_rows(world)
    attackers = _attackers()
    checked = 0
    for name, pattern in sorted(_api_v1_routes().items()):
        route = MATRIX[name]
        kwargs = route.object_kwargs(world) if route.object_kwargs else {}
        url = "/" + _reverse_path(pattern, name, kwargs) + route.query
        for method in route.methods:
            for who, client in attackers.items():
                body = route.bodies.get(method)
                payload = body(world) if callable(body) else body
                response = _call(client, method, url, payload)
                where = f"{who} {method} {url}"
                assert response.status_code < 500, f"{where}: server error {response.status_code}"
                if route.object_kwargs:
                    assert response.status_code == 404, f"{where}: expected 404, got {response.status_code}"
                    assert response.json()["error"]["code"] in {"not_found", "not_paired"}, where
                text = response.content.decode(errors="replace")
                # Echoing back an id the attacker sent is not a leak; anything else of the victims is.
                sent = json.dumps(payload) + url
                leaked = [secret for secret in world.secrets() if secret in text and secret not in sent]
                assert not leaked, f"{where}: response leaks victim data {leaked}"
                checked += 1
                # An attacker may have logged itself out or unpaired; give it a fresh session/couple.
                attackers = _attackers() if method != "GET" else attackers
    assert checked >= 2 * sum(len(route.methods) for route in MATRIX.values())
    assert _victim_rows(world) == before, "an attacker changed rows that belong to the victims"


def _reverse_path(pattern: URLPattern, name: str, kwargs: dict[str, Any]) -> str:
    return reverse(name, kwargs=kwargs or None).lstrip("/")
