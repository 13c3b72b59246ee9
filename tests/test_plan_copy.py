"""Next year's plan from this one ("Ny plan ud fra denne"): copies of the focus areas,
guideposts, initiatives and targets, with the new period, deadlines and baselines; nothing of
the old plan or its figures changes."""

from datetime import date
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from kpis import services as kpi_services
from kpis.models import Area, Measurement
from plans import services
from plans.models import (
    FocusArea,
    Guidepost,
    Initiative,
    Membership,
    Plan,
    ReportingRound,
    StatusNarrative,
    Target,
    TargetRevision,
    TargetStatus,
)
from tests.builders import make_country, make_indicator, make_municipality, make_target, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(member):
    """Guldborgsund's "Beskæftigelsesplan 2023": two themes (a guidepost, an initiative), a
    threshold target revised from 1.075 to 1.050 in June, a target relative to RAR Sjælland,
    a milestone reported done; figures for 2022 and 2023; an approved round with a narrative."""
    municipality = make_municipality()
    country = make_country()
    plan = services.plan_create(
        municipality=municipality, key="g-2023", title="Beskæftigelsesplan 2023",
        kind="employment_plan", start_year=2023, end_year=2023, narratives_required=True,
    )  # fmt: skip
    erhverv = services.focus_area_create(
        plan=plan, key="g-2023-erhverv", title="Et godt erhvervsklima", order=0, number="1",
        guideposts=["Vi vil samarbejde med virksomhederne"],
        initiatives=[{"title": "Ungegaranti", "body": "16 partnerskaber", "key_facts": ["16"]}],
    )  # fmt: skip
    unge = services.focus_area_create(plan=plan, key="g-2023-unge", title="Unge", order=1)
    unge_ind = make_indicator("unge")
    threshold = make_target(
        plan, unge_ind, key="g-2023-unge-maal", code="1a", focus_areas=[erhverv, unge],
        period_kind="year", tolerance=Decimal(25), baseline_value=Decimal(1001),
        baseline_period=kpi_services.period_get_or_create("2022"),
    )  # fmt: skip
    services.target_revise(target=threshold, effective=date(2023, 6, 1),
                           target_value=Decimal(1050), reason="Justeret")  # fmt: skip
    rar = Area.objects.get(name="RAR Sjælland")
    relative = make_target(
        plan, make_indicator("ledighed", unit="percent", decimals=1), key="g-2023-ledighed",
        kind="relative", bound="at_most", target_value=None, comparison_area=rar,
        margin=Decimal(1), focus_areas=[unge],
    )  # fmt: skip
    milestone = make_target(plan, None, key="g-2023-model", title="Ny model", kind="milestone",
                            target_value=None, milestone_state="done")  # fmt: skip
    record(unge_ind, municipality, "2022", "1.001")
    record(unge_ind, municipality, "2023", "969")
    record(unge_ind, country, "2023", "35.000")
    services.all_statuses_refresh(as_of=date(2024, 3, 31))
    reporting_round = services.round_create(plan=plan, name="Afrapportering for 2023",
                                            cut_off=date(2023, 12, 31))  # fmt: skip
    services.narrative_write(target=threshold, reporting_round=reporting_round, text="Fint")
    services.round_approve(reporting_round=reporting_round)
    admin = member(municipality, Membership.Role.ADMIN)
    return {"plan": plan, "threshold": threshold, "relative": relative,
            "milestone": milestone, "admin": admin, "rar": rar}  # fmt: skip


def old_rows(plan):
    """Every row of the old plan and its figures, as values: what must not change."""
    targets = Target.objects.filter(plan=plan)
    return {
        "plan": model_to_dict(Plan.objects.get(pk=plan.pk)),
        "focus areas": [model_to_dict(f) for f in FocusArea.objects.filter(plan=plan)],
        "guideposts": list(Guidepost.objects.filter(focus_area__plan=plan).values()),
        "initiatives": list(Initiative.objects.filter(focus_area__plan=plan).values()),
        "targets": [model_to_dict(t) for t in targets],
        "revisions": list(TargetRevision.objects.filter(target__in=targets).values()),
        "statuses": list(TargetStatus.objects.filter(target__in=targets).values()),
        "rounds": list(ReportingRound.objects.filter(plan=plan).values()),
        "narratives": list(StatusNarrative.objects.filter(round__plan=plan).values()),
        "results": list(plan.rounds.get().results.values()),
        "figures": list(Measurement.objects.values()),
    }


def test_a_copy_has_everything_asked_and_changes_nothing_old(
    source, django_capture_on_commit_callbacks
):
    plan, threshold = source["plan"], source["threshold"]
    before = old_rows(plan)
    with django_capture_on_commit_callbacks(execute=True):
        new = services.plan_copy(
            source=plan, title="Beskæftigelsesplan 2024", start_year=2024, end_year=2024,
            baselines={threshold.pk: (Decimal(969), kpi_services.period_get_or_create("2023")),
                       source["relative"].pk: services.CLEAR},
            user=source["admin"],
        )  # fmt: skip
    assert old_rows(plan) == before

    assert new.key == "guldborgsund-beskaeftigelsesplan-2024"
    assert (new.approval_state, new.start_year, new.end_year) == ("draft", 2024, 2024)
    assert new.narratives_required and new.municipality == plan.municipality
    themes = list(new.focus_areas.order_by("order"))
    assert [(t.number, t.title) for t in themes] == [("1", "Et godt erhvervsklima"), ("", "Unge")]
    assert themes[0].key == "guldborgsund-beskaeftigelsesplan-2024-et-godt-erhvervsklima"
    assert [g.text for g in Guidepost.objects.filter(focus_area=themes[0])] == [
        "Vi vil samarbejde med virksomhederne"
    ]
    initiative = Initiative.objects.get(focus_area=themes[0])
    assert (initiative.title, initiative.key_facts) == ("Ungegaranti", ["16"])

    copy = new.targets.get(code="1a")
    assert copy.target_value == Decimal(1050)  # the revised value, in force at the old end
    assert not copy.revisions.exists() and copy.tolerance == Decimal(25)
    assert copy.deadline == date(2024, 12, 31) and copy.period_kind == "year"
    assert (copy.baseline_value, copy.baseline_period.code) == (Decimal(969), "2023")
    assert set(copy.focus_areas.all()) == set(themes)  # the links follow to the new themes
    relative = new.targets.get(title=source["relative"].title)
    assert relative.baseline_value is None and relative.comparison_area == source["rar"]
    milestone = new.targets.get(title="Ny model")
    assert milestone.milestone_state == "unreported"  # reported again in the new plan
    assert not new.rounds.exists() and not StatusNarrative.objects.filter(target__plan=new)
    assert TargetStatus.objects.filter(target__plan=new).count() == 3  # computed on commit
    # History records the new rows, and who made them.
    assert new.history.get().history_user == source["admin"]
    assert copy.history.get().history_user == source["admin"]
    assert Guidepost.history.filter(focus_area_id=themes[0].pk).count() == 1


def test_deadlines_can_be_given_and_a_refused_target_is_named(source):
    plan = source["plan"]
    # A copy into 2025: RAR Sjælland ended with 2024, so the relative target is refused,
    # naming it; nothing is made.
    with pytest.raises(services.CopyProblems) as caught:
        services.plan_copy(source=plan, title="Plan 2025", start_year=2025, end_year=2025)
    assert list(caught.value.targets) == [source["relative"].pk]
    assert "Ledighed" in caught.value.targets[source["relative"].pk][0]
    assert not Plan.objects.filter(title="Plan 2025").exists()
    assert Target.objects.count() == 3

    new = services.plan_copy(
        source=plan, title="Plan 2024-2025", start_year=2024, end_year=2025,
        deadlines={source["threshold"].pk: date(2025, 6, 30)},
    )  # fmt: skip
    assert new.targets.get(code="1a").deadline == date(2025, 6, 30)
    assert new.targets.get(code="1a").baseline_value == Decimal(1001)  # kept by default


def copy_url(plan):
    return reverse("plans:plan_copy", args=[plan.key])


def test_the_form_proposes_the_latest_figure_and_keeps_what_was_typed_on_an_error(client, source):
    plan, threshold = source["plan"], source["threshold"]
    client.force_login(source["admin"])
    page = client.get(copy_url(plan))
    assert page.status_code == 200
    form, rows = page.context["form"], page.context["rows"]
    assert form["title"].value() == "Beskæftigelsesplan 2024"
    assert (form["start_year"].value(), form["end_year"].value()) == (2024, 2024)
    first = next(r for r in rows if r["target"].value() == threshold.pk)
    assert first["deadline"].value() == date(2024, 12, 31)
    assert first["baseline_value"].value() == "969"  # the latest figure before 2024
    html = page.content.decode()
    assert "Ny plan ud fra denne" in html and "foreslået: det seneste tal" in html

    data = {
        "title": "Min nye plan",
        "start_year": "2024",
        "end_year": "2023",
        "targets-TOTAL_FORMS": str(len(rows)),
        "targets-INITIAL_FORMS": str(len(rows)),
    }
    for i, row in enumerate(rows):
        target = row["target"].value()
        data |= {
            f"targets-{i}-target": target,
            f"targets-{i}-deadline": "2024-12-31",
            f"targets-{i}-baseline_value": "",
            f"targets-{i}-baseline_period": "",
        }
        if target == threshold.pk:
            data |= {
                f"targets-{i}-deadline": "2024-09-30",
                f"targets-{i}-baseline_value": "970",
                f"targets-{i}-baseline_period": "",
            }
    refused = client.post(copy_url(plan), data)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'value="Min nye plan"' in html and 'value="2024-09-30"' in html and 'value="970"' in html
    assert "Det sidste år kan ikke ligge før det første." in html
    assert "både en værdi og en periode" in html
    assert Plan.objects.count() == 1

    fixed = {**data, "end_year": "2024"}
    i = next(i for i, r in enumerate(rows) if r["target"].value() == threshold.pk)
    fixed[f"targets-{i}-baseline_period"] = "2023"
    saved = client.post(copy_url(plan), fixed)
    new = Plan.objects.get(title="Min nye plan")
    assert saved["Location"] == reverse("plans:plan", args=[new.key])
    copy = new.targets.get(code="1a")
    assert copy.deadline == date(2024, 9, 30) and copy.baseline_value == Decimal(970)
    assert new.targets.get(title="Ny model").baseline_value is None


def test_a_refused_copy_names_the_target_on_the_form(client, source):
    plan = source["plan"]
    client.force_login(source["admin"])
    rows = client.get(copy_url(plan)).context["rows"]
    data = {
        "title": "Plan 2025",
        "start_year": "2025",
        "end_year": "2025",
        "targets-TOTAL_FORMS": str(len(rows)),
        "targets-INITIAL_FORMS": str(len(rows)),
    }
    for i, row in enumerate(rows):
        data |= {
            f"targets-{i}-target": row["target"].value(),
            f"targets-{i}-deadline": "2025-12-31",
        }
    refused = client.post(copy_url(plan), data)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Ledighed" in html and "RAR Sjælland" in html, html[html.find("form-errors") :][:3000]
    assert not Plan.objects.filter(title="Plan 2025").exists()


def test_the_plan_page_offers_the_copy_to_administrators_only(client, source, member):
    plan = source["plan"]
    url = reverse("plans:plan", args=[plan.key])
    client.force_login(member(plan.municipality, Membership.Role.ANALYST))
    assert copy_url(plan) not in client.get(url).content.decode()
    assert client.get(copy_url(plan)).status_code == 403
    client.force_login(source["admin"])
    assert copy_url(plan) in client.get(url).content.decode()
