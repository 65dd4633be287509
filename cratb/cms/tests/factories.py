"""The site's home page for tests whose database was emptied (browser journeys flush it
between tests, so the migration's home page and Wagtail's root are gone)."""

from __future__ import annotations

from wagtail.models import Locale, Page, Site

from cratb.cms.models import HomePage


def home_page() -> HomePage:
    existing: HomePage | None = HomePage.objects.first()
    if existing is not None:
        return existing
    Locale.objects.get_or_create(language_code="fr")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Racine", slug="root"))
    home = HomePage(
        title="CRAtb — Centre régional en antibiothérapie",
        slug="accueil",
        lead="Le CRAtb aide les professionnels de santé de la région à bien utiliser les "
        "antibiotiques.",
        search_description="Centre régional en antibiothérapie : demander un avis, se former.",
    )
    root.add_child(instance=home)
    home.save_revision().publish()
    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    return home
