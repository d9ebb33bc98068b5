"""The content team edits the words of a push in a real browser against a live server.

A staff member opens the German copy of the hug nudge (the form starts from the code default in
German), tries an unknown placeholder and is refused with the allowed ones listed, saves valid
copy, sees the preview with sample data; then a real nudge sent over HTTP reaches a German
partner's inbox in the edited words. Deselect with `-m "not e2e"`.
"""

import json
import re
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from messaging.models import MessageTemplate
from tests.factories import PASSWORD, UserFactory, pair

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff_user(transactional_db: None) -> User:
    return UserFactory.create(email="copy@example.com", is_staff=True, is_superuser=True, locale="en")


def _http(url: str, *, body: dict[str, Any] | None = None, token: str | None = None) -> Any:
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if body is not None else "GET")  # noqa: S310
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310  (the live server's http:// URL)
        return json.loads(response.read())


def _token(base_url: str, user: User) -> str:
    return str(_http(f"{base_url}/api/v1/auth/token", body={"email": user.email, "password": PASSWORD})["access"])


def test_staff_edit_the_german_copy_of_a_push_and_the_partner_receives_it(
    page: Page, live_server: Any, staff_user: User
) -> None:
    base_url = live_server.url
    page.goto(f"{base_url}/admin/")
    page.fill("#id_username", staff_user.email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page).to_have_url(f"{base_url}/admin/")

    page.goto(f"{base_url}/admin/messaging/messagetemplate/add/?key=notification.nudge.hug&locale=de")
    # The form starts from the code default, in German.
    expect(page.locator("#id_title")).to_have_value("{partner_name} schickt dir eine Umarmung")
    expect(page.locator("#id_body")).to_have_value("{message}")

    page.fill("#id_title", "{ritual_title} für dich")
    page.click("input[name=_continue]")
    expect(page.locator(".errorlist")).to_contain_text("Unknown placeholder {ritual_title}")
    expect(page.locator(".errorlist")).to_contain_text("{message}, {partner_name}")

    page.fill("#id_title", "{partner_name} drückt dich ganz fest")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    expect(page).to_have_url(re.compile(r"/admin/messaging/messagetemplate/\d+/change/"))
    # The preview, with the sample data, and the code default beside it.
    expect(page.locator(".preview-title")).to_have_text("Alex drückt dich ganz fest")
    expect(page.locator(".preview-body")).to_have_text("Thinking of you!")
    expect(page.locator(".field-default_copy")).to_contain_text("Alex schickt dir eine Umarmung")
    assert MessageTemplate.objects.get(key="notification.nudge.hug", locale="de").updated_by == staff_user

    # The app's side: an English-speaking sender, a German-speaking partner.
    sender = UserFactory.create(email="sam@example.com", display_name="Sam", locale="en")
    receiver = UserFactory.create(email="kim@example.com", display_name="Kim", locale="de-AT")
    pair(sender, receiver)
    _http(f"{base_url}/api/v1/nudges", body={"kind": "hug"}, token=_token(base_url, sender))
    inbox = _http(f"{base_url}/api/v1/notifications", token=_token(base_url, receiver))
    assert [entry["title"] for entry in inbox["results"]] == ["Sam drückt dich ganz fest"]
