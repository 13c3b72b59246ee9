"""What a committee member reads is Danish and short: the source of a figure as one line
("Kilde: jobindsats.dk, y01a02, hentet 1. december 2026", "Kilde: Udvalgsstrategi 2023, s. 1"),
the loader's and the analysts' notes only for analysts, and Danish numbers in the history."""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import reverse

from kpis.models import IndicatorSource, Measurement, SourceTable
from plans import services
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

NOTE = "card 'Unge på offentlig forsørgelse' on 'Uddannelsesbyen Nykøbing Falster' p.1"


@pytest.fixture
def strategy(django_capture_on_commit_callbacks):
    """Guldborgsund's committee strategy 2023–2025 with its card, the figure typed from p. 1."""
    guldborgsund = make_municipality()
    guldborgsund.public_dashboards = True
    guldborgsund.save()
    make_country()
    plan = make_plan(guldborgsund, start_year=2023, end_year=2025)
    plan.kind, plan.approval_state = plan.Kind.COMMITTEE_STRATEGY, plan.Approval.APPROVED
    plan.save()
    indicator = make_indicator("unge-offentlig-forsorgelse")
    target = make_target(plan, indicator, source=NOTE + " (labelled '2023')",
                         baseline_source="seeds/000_….txt, Fokusområde 3")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        from kpis.services import measurement_record, period_get_or_create

        measurement_record(indicator=indicator, area=guldborgsund, value=Decimal(969),
                           period=period_get_or_create("2023Q1"), source=NOTE)  # fmt: skip
    return guldborgsund, plan, indicator, target


def _facts(client, target):
    page = client.get(reverse("plans:target", args=[target.key])).content.decode()
    start = page.index('<dl class="target-facts">')
    return page[start : page.index("</dl>", start)]


def test_a_typed_figure_names_its_document_and_page(client, strategy):
    _municipality, _plan, _indicator, target = strategy
    facts = _facts(client, target)
    assert "Kilde" in facts and "Udvalgsstrategi 2023, s. 1" in facts
    assert "labelled" not in facts and "Fokusområde 3" not in facts and "card '" not in facts


def test_a_fetched_figure_names_jobindsats_its_table_and_the_day(client, strategy):
    _municipality, _plan, indicator, target = strategy
    table = SourceTable.objects.create(table_id="y01a02")
    binding = IndicatorSource.objects.create(indicator=indicator, table=table, measure="Antal",
                                             period_kind="quarter")  # fmt: skip
    Measurement.objects.update(origin=binding, fetched_at=datetime(2026, 12, 1, 9, tzinfo=UTC))
    facts = _facts(client, target)
    assert "jobindsats.dk, y01a02, hentet 1. december 2026" in facts


def test_the_notes_are_for_analysts(client, member, strategy):
    municipality, _plan, _indicator, target = strategy
    client.force_login(member(municipality, Membership.Role.ANALYST))
    facts = _facts(client, target)
    assert "Note til analytikere" in facts and "labelled &#x27;2023&#x27;" in facts
    assert "Fokusområde 3" in facts
    client.force_login(member(municipality, Membership.Role.COMMITTEE, username="udvalg"))
    assert "Note til analytikere" not in _facts(client, target)


def test_the_history_shows_danish_numbers_and_words(client, member, strategy):
    municipality, plan, indicator, target = strategy
    theme = services.focus_area_create(plan=plan, key="t", title="Tema", order=0)
    client.force_login(member(municipality, Membership.Role.ADMIN))
    data = {
        "kind": "threshold", "title": target.title, "code": "", "wording": "Maksimalt 950",
        "indicator": indicator.pk, "focus_areas": [theme.pk], "deadline": "2023-12-31",
        "measure_from": "", "period_kind": "", "bound": "at_least", "target_value": "950",
        "tolerance": "0", "baseline_value": "", "baseline_period": "", "source": "",
        "margin": "", "change_amount": "", "gap_reduction": "", "comparison_area": "",
        "milestone_state": "", "action": "save",
    }  # fmt: skip
    client.post(reverse("plans:target_edit", args=[plan.key, target.key]), data)
    record(indicator, municipality, "2023Q1", "1.080,5")
    page = client.get(reverse("plans:target_history", args=[plan.key, target.key])).content
    page = page.decode()
    assert "Måltal: 1.075 → 950" in page and "1075,000000" not in page
    assert "Krav: højst → mindst" in page  # the choice in words, not "at_most"
    assert "1.080,5" in page  # the revised figure, Danish


def test_the_demo_narratives_are_danish():
    """A committee member reads the narratives as the documents wrote them, in Danish."""
    english = (" the ", " are ", " see ", " reported", " no figures")
    for path in sorted(Path(settings.BASE_DIR, "fixtures").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for plan in doc.get("plans", []):
            for narrative in plan.get("narratives", []):
                text = " ".join(narrative["text"].split()).lower()
                assert not [w for w in english if w in f" {text} "], (path.name, text)
