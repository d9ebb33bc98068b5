"""BOLA matrix entries of the content routes (ritual templates, prompt decks).

Content is global, not couple-owned: any signed-in user may read the published catalogue, so a
published template or deck is not a victim's object and returns 200 to attackers too. What must never
leak is unpublished content. So the victims' "objects" here are drafts: the detail routes point at
them (the matrix then demands a 404) and their ids are secrets no list may reveal.
"""

from rituals.models import Prompt, PromptDeck, RitualTemplate
from rituals.models.choices import Category
from tests.bola.spec import Route, World


def populate(world: World) -> None:
    world.objects["content_draft_template"] = RitualTemplate.objects.create(
        slug="bola-draft-template",
        title="Draft template",
        description="Not ready.",
        why_it_helps="Not ready.",
        category=Category.AFFECTION,
        suggested_rrule="FREQ=DAILY",
        is_published=False,
    )
    world.objects["content_draft_deck"] = PromptDeck.objects.create(
        slug="bola-draft-deck", title="Draft deck", is_published=False
    )
    published_deck = PromptDeck.objects.create(slug="bola-published-deck", title="Published deck", is_published=True)
    world.objects["content_draft_prompt"] = Prompt.objects.create(
        deck=published_deck, text="A draft question?", is_published=False
    )


ROUTES: dict[str, Route] = {
    "ritual-templates": Route(("GET",)),
    "ritual-template-detail": Route(
        ("GET",), object_kwargs=lambda w: {"template_id": w.objects["content_draft_template"].pk}
    ),
    "prompt-decks": Route(("GET",)),
    "prompt-deck-detail": Route(("GET",), object_kwargs=lambda w: {"deck_id": w.objects["content_draft_deck"].pk}),
}
