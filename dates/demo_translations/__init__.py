"""Approved translations of the starter date ideas (dates.demo_content), one module per locale.

Each maps an idea's slug to its (title, description, why it helps) in that locale. German speaks to
the couple informally (ihr/euch, du); Spanish uses infinitives and tú, so it reads naturally in Spain
and Latin America alike (es-MX falls back to es). Loaded, approved, by `load_demo_content`.
"""

from dates.demo_translations.de import DE
from dates.demo_translations.es import ES

DATE_IDEA_TRANSLATIONS: dict[str, dict[str, tuple[str, str, str]]] = {"de": DE, "es": ES}
