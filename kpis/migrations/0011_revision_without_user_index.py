"""No index on a revision's user alone, as on a figure's (kpis 0002): it would serve only the
rare deletion of a user (whose revisions keep their history with the user emptied), and an
import that revises a national file would write it once per revision."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('kpis', '0010_measurement_without_area_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='measurementrevision',
            name='changed_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='changed by'),
        ),
    ]
