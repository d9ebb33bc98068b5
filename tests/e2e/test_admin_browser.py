"""The content team's admin, end to end in a real browser against a live server.

A staff member signs in through the real login form, writes and publishes a ritual template through
the add form (with its JavaScript: the slug fills itself from the title), and the app's own API then
lists it for a signed-in user over HTTP. An app user who is not staff is turned away at the login
form. Deselect with `-m "not e2e"`.
"""

import json
import re
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Sunday slow breakfast"


@pytest.fixture
def staff_user(transactional_db: None) -> User:
    return UserFactory.create(email="content@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def app_user(transactional_db: None) -> User:
    return UserFactory.create(email="member@example.com")


def _admin_login(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def _http_json(url: str, *, body: dict[str, Any] | None = None, token: str | None = None) -> Any:
    """One real HTTP request to the live server, as the mobile app makes it."""
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if body is not None else "GET")  # noqa: S310
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310  (the live server's http:// URL)
        assert response.status == 200
        return json.loads(response.read())


def _published_titles(base_url: str, token: str) -> list[str]:
    titles: list[str] = []
    url: str | None = f"{base_url}/api/v1/ritual-templates?page_size=100"
    while url:
        page = _http_json(url, token=token)
        titles += [template["title"] for template in page["results"]]
        url = page["next"]
    return titles


def test_staff_publishes_a_ritual_template_that_the_api_then_lists(
    page: Page, live_server: Any, staff_user: User, app_user: User
) -> None:
    base_url = live_server.url
    _admin_login(page, base_url, staff_user.email)
    expect(page).to_have_url(f"{base_url}/admin/")
    expect(page.locator("#site-name")).to_be_visible()

    page.goto(f"{base_url}/admin/rituals/ritualtemplate/add/")
    page.locator("#id_title").press_sequentially(TITLE)  # typed key by key, as a person would
    # Filled by the admin's prepopulate script as the title is typed: proves the page's JavaScript ran.
    expect(page.locator("#id_slug")).to_have_value("sunday-slow-breakfast")
    page.select_option("#id_category", "shared_experience")
    page.fill("#id_description", "Breakfast in bed or at the bakery, phones in another room.")
    page.fill("#id_why_it_helps", "Unhurried time together, on a fixed day, keeps a couple close.")
    page.fill("#id_suggested_rrule", "FREQ=WEEKLY;BYDAY=SU")
    page.fill("#id_suggested_time", "09:30")
    page.fill("#id_duration_minutes", "45")
    page.check("#id_is_published")
    page.click("input[name=_save]")

    expect(page).to_have_url(f"{base_url}/admin/rituals/ritualtemplate/")
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    expect(page.locator("#result_list")).to_contain_text(TITLE)
    expect(page.locator("#result_list")).to_contain_text("Every Sunday at 09:30")

    # The app's side, over HTTP: a normal user signs in with the API and lists the catalogue.
    tokens = _http_json(f"{base_url}/api/v1/auth/token", body={"email": app_user.email, "password": PASSWORD})
    assert TITLE in _published_titles(base_url, tokens["access"])


def test_staff_draft_stays_out_of_the_api(page: Page, live_server: Any, staff_user: User, app_user: User) -> None:
    base_url = live_server.url
    _admin_login(page, base_url, staff_user.email)
    page.goto(f"{base_url}/admin/rituals/ritualtemplate/add/")
    page.locator("#id_title").press_sequentially("Unfinished draft")
    page.select_option("#id_category", "gratitude")
    page.fill("#id_description", "Not ready yet.")
    page.fill("#id_why_it_helps", "Not ready yet.")
    page.fill("#id_suggested_rrule", "FREQ=DAILY")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")

    tokens = _http_json(f"{base_url}/api/v1/auth/token", body={"email": app_user.email, "password": PASSWORD})
    assert "Unfinished draft" not in _published_titles(base_url, tokens["access"])


def test_a_non_staff_user_cannot_enter_the_admin(page: Page, live_server: Any, app_user: User) -> None:
    base_url = live_server.url
    _admin_login(page, base_url, app_user.email)

    # Right password, but not staff: the same form again, with the admin's error, and no way in.
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    expect(page.locator(".errornote")).to_contain_text("staff account")
    expect(page.locator("#id_password")).to_be_visible()
    page.goto(f"{base_url}/admin/rituals/ritualtemplate/add/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next="))
