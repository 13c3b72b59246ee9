"""Administrators define targets in a form that asks what the kind needs, with a preview."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from plans.models import Membership, Target
from tests.builders import make_country, make_indicator, make_municipality, make_plan, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_of_plan(client, member):
    guldborgsund = make_municipality()
    make_country()
    plan = make_plan(guldborgsund)
    from plans.services import focus_area_create

    theme = focus_area_create(plan=plan, key="erhverv", title="Et godt erhvervsklima", order=0)
    indicator = make_indicator("unge-offentlig-forsorgelse")
    record(indicator, guldborgsund, "2022M11-2023M11", "969")
    client.force_login(member(guldborgsund, Membership.Role.ADMIN))
    return plan, theme, indicator


def threshold(theme, indicator, **extra):
    data = {
        "kind": "threshold", "title": "Unge på offentlig forsørgelse", "code": "",
        "wording": "Maksimalt 1.075", "indicator": indicator.pk, "focus_areas": [theme.pk],
        "deadline": "2023-12-31", "measure_from": "", "period_kind": "month_span",
        "bound": "at_most", "target_value": "1.075", "tolerance": "0",
        "baseline_value": "1.001", "baseline_period": "Nov.21-nov.22", "source": "",
        "margin": "", "change_amount": "", "gap_reduction": "", "comparison_area": "",
        "milestone_state": "", "action": "save",
    }  # fmt: skip
    data.update(extra)
    return data


def test_a_preview_shows_the_status_and_saves_nothing(client, admin_of_plan):
    plan, theme, indicator = admin_of_plan
    url = reverse("plans:target_new", args=[plan.key])
    page = client.post(url, threshold(theme, indicator, action="preview")).content.decode()
    assert "Forhåndsvisning på dagens tal" in page
    assert "969" in page and "Opfyldt" in page and "\u221232" in page
    assert not Target.objects.exists()


def test_saving_creates_the_target_with_danish_numbers_exact(client, admin_of_plan):
    plan, theme, indicator = admin_of_plan
    response = client.post(
        reverse("plans:target_new", args=[plan.key]), threshold(theme, indicator)
    )
    target = Target.objects.get()
    assert response["Location"] == reverse("plans:target", args=[target.key])
    assert (target.target_value, target.baseline_value) == (Decimal(1075), Decimal(1001))
    assert target.baseline_period.label == "Nov.21-nov.22"
    assert list(target.focus_areas.all()) == [theme]


def test_the_kind_decides_what_is_required_and_what_is_kept(client, admin_of_plan):
    plan, theme, indicator = admin_of_plan
    url = reverse("plans:target_new", args=[plan.key])
    missing = client.post(url, threshold(theme, indicator, target_value=""))
    assert "Denne type mål kræver et måltal." in missing.content.decode()
    assert 'value="Maksimalt 1.075"' in missing.content.decode()  # what was typed stays
    relative = client.post(url, threshold(theme, indicator, kind="relative", margin="1"))
    assert "Et relativt mål kræver et sammenligningsområde." in relative.content.decode()
    # A threshold's value is dropped when the kind becomes a change: nothing stale is kept.
    client.post(url, threshold(theme, indicator, kind="change", change_amount="32"))
    target = Target.objects.get()
    assert (target.kind, target.target_value, target.change_amount) == ("change", None, Decimal(32))


def test_a_bad_number_is_refused_in_danish(client, admin_of_plan):
    plan, theme, indicator = admin_of_plan
    response = client.post(
        reverse("plans:target_new", args=[plan.key]),
        threshold(theme, indicator, target_value="1,07,5"),
    )
    assert "ikke et tal i dansk format" in response.content.decode()
    assert not Target.objects.exists()


def test_revising_keeps_the_original_with_date_and_reason(client, admin_of_plan):
    plan, theme, indicator = admin_of_plan
    client.post(reverse("plans:target_new", args=[plan.key]), threshold(theme, indicator))
    target = Target.objects.get()
    client.post(
        reverse("plans:target_revise", args=[plan.key, target.key]),
        {"effective": "2023-06-01", "target_value": "1.050", "reason": "Justeret efter budget"},
    )
    target.refresh_from_db()
    assert target.target_value == Decimal(1075)
    revision = target.revisions.get()
    assert (revision.effective, revision.target_value) == (date(2023, 6, 1), Decimal(1050))
    assert revision.created_by.username == "admin-guldborgsund"


def test_an_analyst_cannot_define_targets(client, admin_of_plan, member):
    plan, _theme, _indicator = admin_of_plan
    client.force_login(member(plan.municipality, Membership.Role.ANALYST, username="analytiker"))
    assert client.get(reverse("plans:target_new", args=[plan.key])).status_code == 403


def test_the_edit_form_shows_the_stored_dates_and_only_real_kinds(client, admin_of_plan):
    plan, theme, indicator = admin_of_plan
    client.post(reverse("plans:target_new", args=[plan.key]), threshold(theme, indicator))
    target = Target.objects.get()
    page = client.get(reverse("plans:target_edit", args=[plan.key, target.key])).content.decode()
    assert 'type="date" name="deadline" value="2023-12-31"' in page
    assert 'name="kind" value="threshold"' in page and 'name="kind" value=""' not in page


def test_a_relative_target_is_revised_by_its_margin_and_a_change_target_not_at_all(
    client, admin_of_plan
):
    plan, theme, indicator = admin_of_plan
    country = Target._meta.get_field("comparison_area").related_model.objects.get(kind="country")
    url = reverse("plans:target_new", args=[plan.key])
    client.post(url, threshold(theme, indicator, kind="relative", comparison_area=country.pk,
                               margin="1", title="Relativt"))  # fmt: skip
    relative = Target.objects.get(title="Relativt")
    revise = reverse("plans:target_revise", args=[plan.key, relative.key])
    client.post(revise, {"effective": "2023-06-01", "margin": "0,5", "reason": "Justeret"})
    assert relative.revisions.get().margin == Decimal("0.5")

    client.post(url, threshold(theme, indicator, kind="change", title="Ændring"))
    change = Target.objects.get(title="Ændring")
    edit_page = client.get(reverse("plans:target_edit", args=[plan.key, change.key]))
    assert "Justér måltallet" not in edit_page.content.decode()
    refused = client.post(reverse("plans:target_revise", args=[plan.key, change.key]),
                          {"effective": "2023-06-01", "reason": "x"})  # fmt: skip
    assert refused.status_code == 400 and not change.revisions.exists()


def test_a_private_municipality_cannot_be_a_comparison_area(client, admin_of_plan):
    plan, _theme, _indicator = admin_of_plan
    private = make_municipality("Ringsted", "329")
    page = client.get(reverse("plans:target_new", args=[plan.key])).content.decode()
    assert "Hele landet" in page and f'value="{private.pk}">Ringsted' not in page


def test_an_administrator_sees_who_changed_what_and_puts_a_version_back(client, admin_of_plan):
    plan, theme, indicator = admin_of_plan
    client.post(reverse("plans:target_new", args=[plan.key]), threshold(theme, indicator))
    target = Target.objects.get()
    changed = threshold(theme, indicator, wording="Maksimalt 1.050", target_value="1.050")
    client.post(reverse("plans:target_edit", args=[plan.key, target.key]), changed)
    history_url = reverse("plans:target_history", args=[plan.key, target.key])
    page = client.get(history_url).content.decode()
    assert "Maksimalt 1.075 → Maksimalt 1.050" in page and "admin-guldborgsund" in page
    original = target.history.order_by("history_date").first()
    client.post(history_url, {"version": original.history_id})
    target.refresh_from_db()
    assert (target.wording, target.target_value) == ("Maksimalt 1.075", Decimal(1075))
    assert target.history.count() == 3  # created, changed, put back


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({}, "Vælg den version, der skal sættes tilbage."),
        ({"version": "abc"}, "Indtast et heltal."),
        ({"version": "999999"}, "Målet har ingen sådan version."),
    ],
)
def test_a_bad_version_to_put_back_is_refused_on_the_page(client, admin_of_plan, posted, message):
    plan, theme, indicator = admin_of_plan
    client.post(reverse("plans:target_new", args=[plan.key]), threshold(theme, indicator))
    target = Target.objects.get()
    response = client.post(reverse("plans:target_history", args=[plan.key, target.key]), posted)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Intet blev sat tilbage." in page and message in page
    assert target.history.count() == 1


def test_a_preview_and_a_refused_save_leave_no_new_period_behind(client, admin_of_plan):
    """Validating a baseline period ("maj 2019") stores nothing: the period is stored only
    with the target that uses it."""
    from kpis.models import Period

    plan, theme, indicator = admin_of_plan
    url = reverse("plans:target_new", args=[plan.key])
    before = Period.objects.count()
    new_period = {"baseline_period": "maj 2019", "baseline_value": "1.100"}
    preview = client.post(url, threshold(theme, indicator, action="preview", **new_period))
    assert "Forhåndsvisning på dagens tal" in preview.content.decode()
    refused = client.post(url, threshold(theme, indicator, target_value="", **new_period))
    assert "Denne type mål kræver et måltal." in refused.content.decode()
    assert Period.objects.count() == before and not Target.objects.exists()
    client.post(url, threshold(theme, indicator, **new_period))
    assert Target.objects.get().baseline_period.label == "Maj 2019"
    assert Period.objects.count() == before + 1
