"""The site's home page, in place of Wagtail's placeholder: a new platform has a home page
the coordination edits from the first day (its text is the fixed home page's)."""

import uuid

from django.db import migrations

LEAD = (
    "Le CRAtb aide les professionnels de santé de la région à bien utiliser les antibiotiques, "
    "pour freiner l'antibiorésistance, en ville, en établissement médico-social et à l'hôpital."
)
ADVICE = (
    "Vous êtes médecin, pharmacien, chirurgien-dentiste, infirmier ou vous exercez en EHPAD ? "
    "Posez votre question avec le formulaire en ligne, ou connectez-vous avec votre compte de "
    "professionnel de santé. Ne transmettez jamais le nom d'un patient : l'âge, le sexe et le "
    "contexte clinique suffisent."
)
DESCRIPTION = (
    "Centre régional en antibiothérapie : demander un avis sur un traitement antibiotique, "
    "trouver qui contacter, s'inscrire aux formations, suivre les indicateurs de la région."
)


def create_home_page(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    Locale = apps.get_model("wagtailcore", "Locale")
    HomePage = apps.get_model("cms", "HomePage")

    # Wagtail's placeholder page (and the site pointing at it).
    Page.objects.filter(depth=2, content_type__app_label="wagtailcore", slug="home").delete()
    if HomePage.objects.exists():
        return
    root = Page.objects.get(depth=1)
    content_type, _ = ContentType.objects.get_or_create(app_label="cms", model="homepage")
    home = HomePage.objects.create(
        title="CRAtb — Centre régional en antibiothérapie",
        draft_title="CRAtb — Centre régional en antibiothérapie",
        slug="accueil",
        content_type=content_type,
        path=root.path + "0002",
        depth=2,
        numchild=0,
        url_path="/accueil/",
        locale=Locale.objects.order_by("pk").first(),
        translation_key=uuid.uuid4(),
        live=True,
        search_description=DESCRIPTION,
        seo_title="Accueil",
        lead=LEAD,
        advice_text=ADVICE,
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)


def remove_home_page(apps, schema_editor):
    apps.get_model("cms", "HomePage").objects.filter(depth=2).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_home_page, remove_home_page)]
