# A user's team and territories now live in cratb.network (Membership, filled by network
# 0003 from these columns): the user keeps its role only.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_admin_rights_follow_role"),
        ("network", "0003_membership"),
    ]

    operations = [
        migrations.RemoveField(model_name="user", name="team"),
        migrations.RemoveField(model_name="user", name="territories"),
    ]
