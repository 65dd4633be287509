# Users' memberships move from cratb.accounts to cratb.network: each user's team and
# territories (accounts.User.team and .territories) are copied into a Membership, for every
# user who has either; accounts 0003 then drops the old columns. Reversible.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_to_memberships(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Membership = apps.get_model("network", "Membership")
    links = User.territories.through.objects.order_by("pk")
    territories = {}
    for user_id, territory_id in links.values_list("user_id", "territory_id"):
        territories.setdefault(user_id, []).append(territory_id)
    teams = dict(User.objects.filter(team__isnull=False).values_list("pk", "team_id"))
    Membership.objects.bulk_create(
        Membership(user_id=user_id, team_id=teams.get(user_id))
        for user_id in sorted(set(teams) | set(territories))
    )
    Membership.territories.through.objects.bulk_create(
        Membership.territories.through(membership_id=user_id, territory_id=territory_id)
        for user_id, ids in sorted(territories.items())
        for territory_id in ids
    )


def copy_back_to_users(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Membership = apps.get_model("network", "Membership")
    for membership in Membership.objects.filter(team__isnull=False):
        User.objects.filter(pk=membership.user_id).update(team_id=membership.team_id)
    links = Membership.territories.through.objects.order_by("pk")
    User.territories.through.objects.bulk_create(
        User.territories.through(user_id=user_id, territory_id=territory_id)
        for user_id, territory_id in links.values_list("membership_id", "territory_id")
    )


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_admin_rights_follow_role"),
        ("network", "0002_directory"),
    ]

    operations = [
        migrations.CreateModel(
            name="Membership",
            fields=[
                ("user", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name="membership", serialize=False, to=settings.AUTH_USER_MODEL, verbose_name="utilisateur")),
                ("team", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="memberships", to="network.organization", verbose_name="équipe ou structure")),
                ("territories", models.ManyToManyField(blank=True, related_name="memberships", to="network.territory", verbose_name="territoires")),
            ],
            options={
                "verbose_name": "rattachement",
                "verbose_name_plural": "rattachements",
            },
        ),
        migrations.RunPython(copy_to_memberships, copy_back_to_users),
    ]
