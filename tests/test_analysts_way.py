"""Analysts: the grid opens on the newest year with figures and says each row's unit and the
period kind its targets follow; the import page offers the indicators the analyst's
municipality works with; the template's example row is a real series a target shows."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.models import ImportBatch, Indicator, Measurement
from kpis.services import period_get_or_create
from plans.models import Membership
from tests.builders import (
    make_country,
    make_indicator,
    make_municipality,
    make_plan,
    make_target,
    record,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(client, member):
    """Guldborgsund's 2023–2025 strategy: a monthly-span target with its 969, an analyst
    signed in; Frederikssund's plan follows an indicator of its own (shared, unbound)."""
    guldborgsund = make_municipality()
    make_country()
    plan = make_plan(guldborgsund, start_year=2023, end_year=2025)
    young = make_indicator("unge-offentlig-forsorgelse")
    young.name = "Unge på offentlig forsørgelse"
    young.save()
    target = make_target(plan, young, key="unge", period_kind="month_span")
    record(young, guldborgsund, "2022M11-2023M11", "969")
    frederikssund = make_municipality("Frederikssund", "250")
    other_plan = make_plan(frederikssund, key="fr", start_year=2024, end_year=2024)
    theirs = make_indicator("andel-a-dagpenge-jobparate-kontanthjaelp",
                            unit=Indicator.Unit.PERCENT, decimals=1)  # fmt: skip
    make_target(other_plan, theirs, key="fr-2a", deadline=date(2024, 12, 31))
    client.force_login(member(guldborgsund, Membership.Role.ANALYST))
    return guldborgsund, plan, young, target, theirs


def test_the_grid_opens_on_the_newest_year_with_figures(client, analyst):
    guldborgsund, plan, young, target, _theirs = analyst
    target.period_kind = "quarter"
    target.save()
    record(young, guldborgsund, "2023Q4", "980")
    page = client.get(reverse("plans:figures", args=[plan.key]))
    assert page.context["year"] == 2023 and page.context["kind"] == "quarter"
    content = page.content.decode()
    assert 'value="980"' in content
    assert "Antal · målene følger: kvartal" in content


def test_the_import_offers_what_the_municipality_works_with(client, analyst):
    _guldborgsund, _plan, young, _target, theirs = analyst
    page = client.get(reverse("plans:import_upload")).content.decode()
    assert f'value="{young.pk}">Unge på offentlig forsørgelse' in page
    assert f'value="{theirs.pk}"' not in page  # Frederikssund's indicator, not Guldborgsund's


def test_the_templates_example_imports_as_a_figure_the_target_shows(client, analyst):
    guldborgsund, _plan, young, target, _theirs = analyst
    template = client.get(reverse("plans:import_template")).content.decode("utf-8-sig")
    header, example = template.splitlines()
    assert example == "unge-offentlig-forsorgelse;Guldborgsund;Nov.22-nov.23;969"
    Measurement.objects.all().delete()
    handle = io.BytesIO(template.encode("utf-8"))
    handle.name = "skabelon.csv"
    client.post(reverse("plans:import_upload"), {"file": handle})
    batch = ImportBatch.objects.latest("pk")
    client.post(reverse("plans:import_commit", args=[batch.pk]))
    stored = Measurement.objects.get(indicator=young, area=guldborgsund)
    assert stored.value == Decimal(969)
    assert stored.period == period_get_or_create("2022M11-2023M11")
    assert stored.period.kind == target.period_kind  # the series the target follows
