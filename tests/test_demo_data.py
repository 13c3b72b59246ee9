"""The demo data: loads through the services, traceable, and the statuses agree with the
documents' own verdicts."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from kpis.models import Measurement
from plans.models import Plan, Target
from plans.selectors.targets import evaluate_targets, targets_with_definitions
from plans.tools.demo import expected_statuses, load_demo

pytestmark = pytest.mark.django_db

SEED_MUNICIPALITIES = {"Guldborgsund": "376", "Vordingborg": "390", "Frederikssund": "250",
                       "Ringsted": "329"}  # fmt: skip


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


def test_every_seed_municipality_has_a_plan(demo):
    municipalities = {p.municipality.name: p.municipality.code for p in Plan.objects.all()}
    loaded = {name: code for name, code in SEED_MUNICIPALITIES.items() if name in municipalities}
    assert loaded == {name: municipalities[name] for name in loaded}
    assert set(municipalities) <= set(SEED_MUNICIPALITIES)
    assert len(municipalities) >= 2


def test_every_figure_names_its_source(demo):
    assert Measurement.objects.count() > 100
    assert not Measurement.objects.filter(source="").exists()
    assert all("seeds/" in s for s in Measurement.objects.values_list("source", flat=True))
    assert not Target.objects.filter(source="").exists()


def test_guldborgsund_statuses_as_the_report_implies(demo):
    young = Target.objects.get(title="Unge på offentlig forsørgelse")
    assert young.status.status == "met"
    assert young.status.current_value == Decimal(969)
    assert young.status.development == Decimal(-32)
    retained = Target.objects.get(title="Unge fastholdes i uddannelse")
    assert retained.status.status == "not_met"
    assert retained.status.current_value == Decimal("58.8")
    assert retained.status.development == Decimal("-10")


def test_one_indicator_shows_on_several_themes(demo):
    upskilling = Target.objects.get(title="Opkvalificering til lokalt erhvervsliv")
    assert upskilling.focus_areas.count() >= 4


def test_engine_agrees_with_every_verdict_the_documents_state(demo):
    checked = 0
    disagreements = []
    for name, key, as_of, expected, source in expected_statuses():
        target = targets_with_definitions().get(key=key)
        result = evaluate_targets([target], as_of=as_of)[target.pk]
        checked += 1
        if result.status != expected:
            disagreements.append(
                f"{name} {key} as of {as_of}: {result.status} ≠ {expected} ({source})"
            )
    assert not disagreements, "\n".join(disagreements)
    assert checked >= 19


def test_loading_twice_changes_nothing(demo):
    before = (Plan.objects.count(), Target.objects.count(), Measurement.objects.count())
    counts, plans = load_demo()
    assert plans == []
    assert counts["created"] == counts["revised"] == 0
    assert (Plan.objects.count(), Target.objects.count(), Measurement.objects.count()) == before
