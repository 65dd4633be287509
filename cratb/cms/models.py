"""The public site's pages that the coordination edits without a developer (Wagtail).

Only prose and the few facts that belong to the site itself live here: the home page's
introduction, the team, the phone lines (one number per sub-region, its hours, the antenna
that answers), the legal notices. Structured data stays in its own app and is only *shown*
by these pages: the latest news (cratb/letters), the next trainings (cratb/training), the
advice entry point (cratb/advice), the guidelines (cratb/guidelines).

No image nor document is uploaded through the editor (docs/security.md): the rich text
offers headings, lists, emphasis and links only; PDFs are guidelines (cratb/guidelines).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page

from cratb.letters.models import NewsItem
from cratb.training.models import TrainingSession

#: What the editor's rich text offers: no image, no embed, no uploaded document.
RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "hr"]

#: The first segment of the platform's own addresses: a page there would be hidden by the
#: app that answers it (the pages are served last), so such a slug is refused.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "api",
        "i18n",
        "en",
        "edition",
        "static",
        "media",
        "comptes",
        "surveillance",
        "conseil",
        "reseau",
        "formation",
        "activite",
        "audits",
        "campagnes",
        "resistances",
        "recommandations",
        "rapports",
        "retours",
        "actualites",
        "sitemap.xml",
    }
)


class SitePage(Page):
    """What every page of the site shares: a meta description, and a slug that does not
    hide one of the platform's own addresses."""

    # The description is required: every public page has one (search engines, sharing).
    promote_panels = [
        MultiFieldPanel(
            [FieldPanel("slug"), FieldPanel("seo_title"), FieldPanel("search_description")],
            _("Référencement"),
        ),
        FieldPanel("show_in_menus"),
    ]

    class Meta:
        abstract = True

    def get_sitemap_urls(self, request: HttpRequest | None = None) -> list[dict[str, Any]]:
        """The page's sitemap entry on the host the sitemap was asked on, as every other
        entry of ``/sitemap.xml`` is (Wagtail would print its ``Site`` record's host name,
        « localhost » until an administrator changes it)."""
        entries: list[dict[str, Any]] = super().get_sitemap_urls(request)
        if request is not None:
            path = self.get_url(request=request, current_site=None)
            if path:
                location = request.build_absolute_uri(urlsplit(path).path)
                for entry in entries:
                    entry["location"] = location
        return entries

    def clean(self) -> None:
        super().clean()
        if self.slug in RESERVED_SLUGS:
            raise ValidationError(
                {
                    "slug": _(
                        "« %(slug)s » est déjà l'adresse d'une rubrique de la plateforme : "
                        "choisissez un autre nom court."
                    )
                    % {"slug": self.slug}
                }
            )
        if not (self.search_description or "").strip():
            raise ValidationError(
                {
                    "search_description": _(
                        "Écrivez une description d'une ou deux phrases (onglet « Promotion ») : "
                        "elle présente la page aux moteurs de recherche."
                    )
                }
            )


class HomePage(SitePage):
    """The site's home page: an introduction written by the coordination, then the latest
    news, the next trainings and the advice entry point, read from their apps."""

    lead = models.TextField(
        _("accroche"),
        max_length=400,
        help_text=_("Une ou deux phrases sous le titre : ce que fait le centre."),
    )
    body = RichTextField(_("texte"), features=RICH_TEXT_FEATURES, blank=True)
    advice_text = models.TextField(
        _("texte de l'encadré « Demander un avis »"),
        max_length=600,
        blank=True,
        help_text=_("Qui peut demander un avis, et comment (le bouton mène au formulaire)."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("lead"),
        FieldPanel("body"),
        FieldPanel("advice_text"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("page d'accueil")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        # The news and the trainings are shown, never copied into a page.
        context: dict[str, Any] = super().get_context(request, *args, **kwargs)
        context["latest_news"] = list(NewsItem.objects.published()[:3])
        context["next_sessions"] = list(TrainingSession.objects.published().upcoming()[:3])
        context["menu_pages"] = list(self.get_children().live().in_menu().specific())
        return context


class ContentPage(SitePage):
    """A page of prose: about, how to ask for advice, the awareness week…"""

    lead = models.TextField(_("chapeau"), max_length=400, blank=True)
    body = RichTextField(_("texte"), features=RICH_TEXT_FEATURES)
    show_advice_button = models.BooleanField(
        _("afficher le bouton « Demander un avis »"),
        default=False,
        help_text=_("Un bouton vers le formulaire de demande d'avis, sous le texte."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("lead"),
        FieldPanel("body"),
        FieldPanel("show_advice_button"),
    ]

    class Meta:
        verbose_name = _("page de contenu")
        verbose_name_plural = _("pages de contenu")


class TeamPage(SitePage):
    """The team: one entry per person, with their function and antenna."""

    lead = models.TextField(_("chapeau"), max_length=400, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("lead"),
        InlinePanel("members", label=_("membre de l'équipe"), min_num=1),
    ]

    class Meta:
        verbose_name = _("page « L'équipe »")


class TeamMember(Orderable):
    page = ParentalKey(TeamPage, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("nom"), max_length=120)
    function = models.CharField(
        _("fonction"), max_length=160, help_text=_("Ex. : infectiologue, coordinatrice.")
    )
    antenna = models.CharField(
        _("antenne ou site"), max_length=160, blank=True, help_text=_("Ex. : CHU de Rouen.")
    )

    panels = [FieldPanel("name"), FieldPanel("function"), FieldPanel("antenna")]

    class Meta(Orderable.Meta):
        verbose_name = _("membre de l'équipe")

    def __str__(self) -> str:
        return str(self.name)


class PhoneLinesPage(SitePage):
    """The phone lines: one number per sub-region, its hours, the antenna that answers."""

    lead = models.TextField(_("chapeau"), max_length=400, blank=True)
    outside_hours = models.TextField(
        _("en dehors des horaires"),
        max_length=400,
        blank=True,
        help_text=_("Que faire quand aucune ligne ne répond (ex. : le formulaire en ligne)."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("lead"),
        InlinePanel("lines", label=_("ligne téléphonique"), min_num=1),
        FieldPanel("outside_hours"),
    ]

    class Meta:
        verbose_name = _("page « Lignes téléphoniques »")


phone_validator_message = _(
    "Un numéro de téléphone français : 10 chiffres, par exemple 02 35 00 00 00."
)


def validate_phone(value: str) -> None:
    digits = "".join(ch for ch in value if ch.isdigit())
    if (
        len(digits) != 10
        or not digits.startswith("0")
        or any(not (ch.isdigit() or ch in " .") for ch in value.strip())
    ):
        raise ValidationError(phone_validator_message)


class PhoneLine(Orderable):
    page = ParentalKey(PhoneLinesPage, on_delete=models.CASCADE, related_name="lines")
    sub_region = models.CharField(
        _("sous-région"),
        max_length=120,
        help_text=_("Ex. : Haute-Normandie (Eure, Seine-Maritime)."),
    )
    number = models.CharField(_("numéro"), max_length=20, validators=[validate_phone])
    hours = models.CharField(
        _("horaires"), max_length=160, help_text=_("Ex. : du lundi au vendredi, de 9 h à 17 h.")
    )
    antenna = models.CharField(
        _("antenne qui répond"), max_length=160, help_text=_("Ex. : CHU de Caen.")
    )

    panels = [
        FieldPanel("sub_region"),
        FieldPanel("number"),
        FieldPanel("hours"),
        FieldPanel("antenna"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("ligne téléphonique")

    def __str__(self) -> str:
        return f"{self.sub_region} : {self.number}"

    @property
    def tel_uri(self) -> str:
        """The number for a ``tel:`` link, in international form."""
        digits = "".join(ch for ch in self.number if ch.isdigit())
        return f"+33{digits[1:]}"


class LegalNoticesPage(SitePage):
    """The legal notices: who publishes the site, who hosts it, whom to write to about
    personal data (RGPD). The facts are fields, so none is forgotten."""

    publisher = models.TextField(
        _("éditeur"), max_length=600, help_text=_("Nom, adresse, téléphone de l'établissement.")
    )
    publication_director = models.CharField(
        _("directeur ou directrice de la publication"), max_length=200
    )
    host = models.TextField(
        _("hébergeur"), max_length=600, help_text=_("Nom, adresse et téléphone de l'hébergeur.")
    )
    data_protection_contact = models.EmailField(
        _("contact pour les données personnelles (RGPD)"),
        help_text=_("L'adresse du délégué à la protection des données."),
    )
    body = RichTextField(_("autres mentions"), features=RICH_TEXT_FEATURES, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("publisher"),
        FieldPanel("publication_director"),
        FieldPanel("host"),
        FieldPanel("data_protection_contact"),
        FieldPanel("body"),
    ]
    max_count = 1

    class Meta:
        verbose_name = _("page « Mentions légales »")
