"""Reporting rounds as a workflow: a deadline per round, the plan's rule on narratives for
targets not met, and the notices sent about a round (each once).

Rounds made before deadlines existed get their cut-off as the deadline: the only date they
have, and one that never lies after the round's own figures."""

import django.db.models.deletion
from django.db import migrations, models


def deadline_from_cut_off(apps, schema_editor):
    ReportingRound = apps.get_model("plans", "ReportingRound")
    ReportingRound.objects.filter(deadline__isnull=True).update(deadline=models.F("cut_off"))


class Migration(migrations.Migration):

    dependencies = [
        ('plans', '0003_members'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalplan',
            name='narratives_required',
            field=models.BooleanField(default=False, help_text='A reporting round is submitted only when every target not met has a status narrative; otherwise the analysts may confirm that it goes without one.', verbose_name='narratives required for targets not met'),
        ),
        migrations.AddField(
            model_name='plan',
            name='narratives_required',
            field=models.BooleanField(default=False, help_text='A reporting round is submitted only when every target not met has a status narrative; otherwise the analysts may confirm that it goes without one.', verbose_name='narratives required for targets not met'),
        ),
        migrations.AddField(
            model_name='reportinground',
            name='deadline',
            field=models.DateField(help_text='When the status narratives are due for approval.', null=True, verbose_name='deadline'),
        ),
        migrations.RunPython(deadline_from_cut_off, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='reportinground',
            name='deadline',
            field=models.DateField(help_text='When the status narratives are due for approval.', verbose_name='deadline'),
        ),
        migrations.CreateModel(
            name='RoundNotice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('before_deadline', 'reminder before the deadline'), ('on_deadline', 'reminder on the deadline'), ('submitted', 'submitted for approval'), ('approved', 'approved')], max_length=20, verbose_name='kind')),
                ('recipients', models.PositiveIntegerField(default=0, verbose_name='recipients')),
                ('sent_at', models.DateTimeField(auto_now_add=True, verbose_name='sent')),
                ('round', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notices', to='plans.reportinground', verbose_name='reporting round')),
            ],
            options={
                'verbose_name': 'round notice',
                'verbose_name_plural': 'round notices',
                'constraints': [models.UniqueConstraint(fields=('round', 'kind'), name='one_notice_per_kind')],
            },
        ),
    ]
