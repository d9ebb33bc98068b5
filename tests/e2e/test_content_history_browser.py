"""Content history and translations, end to end in a real browser: a staff member edits a template,
finds the change with its author and diff on the History page, reverts it from there, and previews
the template as German. Deselect with `-m "not e2e"`.
"""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from rituals.models import RitualTemplate, RitualTemplateTranslation
from rituals.models.translations import ReviewStatus
from tests.e2e.test_admin_browser import _admin_login
from tests.factories import UserFactory
from tests.rituals.test_content import make_template

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff_user(transactional_db: None) -> User:
    return UserFactory.create(email="content@example.com", is_staff=True, is_superuser=True)


def test_staff_edit_see_the_diff_revert_and_preview_as_locale(page: Page, live_server: Any, staff_user: User) -> None:
    template = make_template(title="Six-second kiss")
    RitualTemplateTranslation.objects.create(
        template=template,
        locale="de",
        status=ReviewStatus.IN_REVIEW,
        title="Der Sechs-Sekunden-Kuss",
        description="Küsst euch sechs Sekunden lang.",
        why_it_helps="Ein Kuss mit Potenzial.",
    )
    base_url = live_server.url
    change = f"{base_url}/admin/rituals/ritualtemplate/{template.pk}/change/"
    _admin_login(page, base_url, staff_user.email)

    page.goto(change)
    page.fill("#id_title", "Six-second kiss, renamed")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")

    page.goto(change)
    page.click("a.historylink")
    history = page.locator("#change-history")
    expect(history).to_contain_text("content@example.com")
    expect(history).to_contain_text("Six-second kiss, renamed")
    expect(history).to_contain_text("Title: Six-second kiss")  # the diff: field, old value → new value
    # The first version: open it and save it again to revert.
    page.locator("#change-history tbody tr").last.locator("a").first.click()
    expect(page.locator("#id_title")).to_have_value("Six-second kiss")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    assert RitualTemplate.objects.get(pk=template.pk).title == "Six-second kiss"

    page.goto(change)
    page.click('a[href$="/preview/de/"]')
    expect(page).to_have_url(re.compile(r"/preview/de/$"))
    expect(page.locator("#preview")).to_contain_text("Der Sechs-Sekunden-Kuss")
    expect(page.locator("#translation-note")).to_contain_text("in review: the app shows English until it is approved")
