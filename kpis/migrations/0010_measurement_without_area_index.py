"""No index on a figure's area alone.

No page, API call or status reads figures by area without their indicator (the unique
(indicator, area, period) index serves those), and a new figure cost more in this index than in
the unique index and the table together: an import of a national file spent a third of its
insert keeping it up to date. Deleting an area, which its figures protect, scans the table now;
areas are reference data (manage.py load_reference) and are not deleted in use."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('kpis', '0009_measurement_fillfactor'),
    ]

    operations = [
        migrations.AlterField(
            model_name='measurement',
            name='area',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='measurements', to='kpis.area', verbose_name='area'),
        ),
    ]
