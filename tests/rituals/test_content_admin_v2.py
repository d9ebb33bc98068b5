"""The content admin, v2: translation status per locale, the "missing translation" filter, preview as
locale, the schedule state, and history (author and diff of every change, revert)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rituals.models import PromptTranslation, RitualTemplate, RitualTemplateTranslation
from rituals.models.translations import ReviewStatus
from tests.factories import UserFactory
from tests.rituals.test_content import make_deck, make_template
from tests.rituals.test_content_admin import TEMPLATES, _template_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return UserFactory.create(email="editor@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def staff(editor) -> Client:
    client = Client()
    client.force_login(editor)
    return client


def _translate(template, locale, status):
    return RitualTemplateTranslation.objects.create(
        template=template, locale=locale, status=status, title=f"Titel {locale}", description="d", why_it_helps="w"
    )


def test_the_list_shows_each_locales_translation_status_in_one_query(staff, django_assert_max_num_queries):
    done = make_template(title="Done")
    _translate(done, "de", ReviewStatus.APPROVED)
    _translate(done, "es", ReviewStatus.IN_REVIEW)
    for i in range(10):
        _translate(make_template(title=f"Other {i}"), "de", ReviewStatus.DRAFT)

    with django_assert_max_num_queries(12):  # session, user, counts and the one list query
        html = staff.get(TEMPLATES).content.decode()

    assert "de: Approved · es: In review" in html
    assert "de: Draft · es: missing" in html


@pytest.mark.parametrize(
    ("locale", "expected"), [("de", {"Draft only", "Nothing"}), ("es", {"Approved", "Draft only", "Nothing"})]
)
def test_the_missing_filter_lists_items_without_an_approved_translation(staff, locale, expected):
    _translate(make_template(title="Approved"), "de", ReviewStatus.APPROVED)
    _translate(make_template(title="Draft only"), "de", ReviewStatus.DRAFT)
    make_template(title="Nothing")

    response = staff.get(TEMPLATES, {"missing_translation": locale})

    assert {t.title for t in response.context["cl"].result_list} == expected


def test_preview_as_locale_shows_a_draft_translation_with_its_status(staff):
    template = make_template(title="Six-second kiss")
    _translate(template, "de", ReviewStatus.DRAFT)

    response = staff.get(f"{TEMPLATES}{template.pk}/preview/de/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Titel de</strong>" in html
    assert "The de translation is draft: the app shows English until it is approved." in html
    # The app itself still shows English.
    assert RitualTemplate.objects.get(pk=template.pk).title == "Six-second kiss"


def test_preview_as_a_locale_without_translation_says_so_and_unknown_locales_are_404(staff):
    template = make_template(title="Six-second kiss")

    missing = staff.get(f"{TEMPLATES}{template.pk}/preview/es/").content.decode()

    assert "No es translation yet: the app shows the English original." in missing
    assert "<strong>Six-second kiss</strong>" in missing
    assert staff.get(f"{TEMPLATES}{template.pk}/preview/xx/").status_code == 404
    assert Client().get(f"{TEMPLATES}{template.pk}/preview/de/").status_code == 302  # login first


def test_the_change_page_links_every_preview_locale(staff):
    template = make_template()

    html = staff.get(f"{TEMPLATES}{template.pk}/change/").content.decode()

    for locale in ("en", "de", "es"):
        assert f'href="{TEMPLATES}{template.pk}/preview/{locale}/"' in html


def test_prompt_preview_as_locale_uses_the_prompts_translation(staff):
    deck = make_deck(prompts=1)
    prompt = deck.prompts.get()
    PromptTranslation.objects.create(prompt=prompt, locale="es", status=ReviewStatus.APPROVED, text="¿Pregunta?")

    html = staff.get(f"/admin/rituals/prompt/{prompt.pk}/preview/es/").content.decode()

    assert "¿Pregunta?" in html
    assert "The approved es translation, as the app shows it." in html


def test_the_list_shows_whether_the_app_shows_an_item_now(staff):
    now = timezone.now()
    make_template(title="Soon", publish_at=now + timedelta(days=1))
    make_template(title="Over", unpublish_at=now - timedelta(days=1))
    make_template(title="Hidden", is_published=False)

    html = staff.get(TEMPLATES).content.decode()

    assert f"Scheduled from {now + timedelta(days=1):%Y-%m-%d}" in html
    assert f"Ended {now - timedelta(days=1):%Y-%m-%d}" in html
    assert ">Draft<" in html


def test_an_admin_edit_is_recorded_with_author_and_diff_and_can_be_reverted(staff, editor):
    assert staff.post(f"{TEMPLATES}add/", _template_form(title="Date night")).status_code == 302
    template = RitualTemplate.objects.get(slug="weekly-date-night")
    change = f"{TEMPLATES}{template.pk}/change/"
    assert staff.post(change, _template_form(title="Date night, renamed")).status_code == 302

    history = list(template.history.order_by("history_date"))
    assert [(h.history_type, h.title, h.history_user) for h in history] == [
        ("+", "Date night", editor),
        ("~", "Date night, renamed", editor),
    ]
    delta = history[1].diff_against(history[0])
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("title", "Date night", "Date night, renamed")]
    page = staff.get(f"{TEMPLATES}{template.pk}/history/").content.decode()
    assert "editor@example.com" in page
    assert "Date night, renamed" in page

    # Revert: the history form of the first version, submitted, restores it (and is itself recorded).
    revert_url = f"{TEMPLATES}{template.pk}/history/{history[0].history_id}/"
    assert staff.get(revert_url).status_code == 200
    assert staff.post(revert_url, _template_form(title="Date night")).status_code == 302
    template.refresh_from_db()
    assert template.title == "Date night"
    assert template.history.count() == 3


def test_translation_changes_are_recorded_too(editor):
    template = make_template()
    translation = _translate(template, "de", ReviewStatus.DRAFT)
    translation.status = ReviewStatus.APPROVED
    translation.save()

    assert list(translation.history.order_by("history_date").values_list("status", flat=True)) == [
        "draft",
        "approved",
    ]


def test_a_deck_previewed_as_a_locale_shows_its_prompts_in_that_locale(staff):
    deck = make_deck(prompts=2)
    first = deck.prompts.order_by("ordering")[0]
    PromptTranslation.objects.create(prompt=first, locale="de", status=ReviewStatus.IN_REVIEW, text="Frage null?")

    html = staff.get(f"/admin/rituals/promptdeck/{deck.pk}/preview/de/").content.decode()

    assert "<li>Frage null?</li><li>Question 1?</li>" in html
