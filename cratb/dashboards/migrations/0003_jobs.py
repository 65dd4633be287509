# Publications and imports become jobs (cratb.jobs.Job): the columns they lacked are added
# (imports: started_at, steps_done, steps_total; publications: stage); the rest changes no
# column (labels, choices, reverse names only).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('dashboards', '0002_data_import'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='dataimport',
            name='started_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='commencé le'),
        ),
        migrations.AddField(
            model_name='dataimport',
            name='steps_done',
            field=models.PositiveIntegerField(default=0, verbose_name='étapes faites'),
        ),
        migrations.AddField(
            model_name='dataimport',
            name='steps_total',
            field=models.PositiveIntegerField(default=0, verbose_name='étapes prévues'),
        ),
        migrations.AddField(
            model_name='publication',
            name='stage',
            field=models.CharField(blank=True, max_length=200, verbose_name='étape'),
        ),
        migrations.AlterField(
            model_name='dataimport',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='demandé le'),
        ),
        migrations.AlterField(
            model_name='dataimport',
            name='requested_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='demandé par'),
        ),
        migrations.AlterField(
            model_name='publication',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='demandé le'),
        ),
        migrations.AlterField(
            model_name='publication',
            name='finished_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='terminé le'),
        ),
        migrations.AlterField(
            model_name='publication',
            name='requested_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='demandé par'),
        ),
        migrations.AlterField(
            model_name='publication',
            name='started_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='commencé le'),
        ),
        migrations.AlterField(
            model_name='publication',
            name='status',
            field=models.CharField(choices=[('queued', 'En attente'), ('running', 'En cours'), ('done', 'Terminée'), ('refused', 'Refusé'), ('failed', 'Échec')], default='queued', max_length=10, verbose_name='état'),
        ),
    ]
