"""Admins maintain plans and targets in the Django admin."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from plans.models import Plan, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


def test_the_admin_lists_the_demo_plans(client, admin_user, demo):
    client.force_login(admin_user)
    page = client.get(reverse("admin:plans_plan_changelist")).content.decode()
    for plan in Plan.objects.all():
        assert plan.title in page
    assert "Guldborgsund" in page and "Ringsted" in page


def test_the_admin_shows_a_target_with_its_computed_status(client, admin_user, demo):
    client.force_login(admin_user)
    target = Target.objects.get(title="Unge på offentlig forsørgelse")
    page = client.get(reverse("admin:plans_target_change", args=[target.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Maksimalt 1.075" in content
    assert "969" in content


def test_the_admin_refuses_anonymous_visitors(client, demo):
    response = client.get(reverse("admin:plans_plan_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_saving_a_figure_in_the_admin_keeps_its_history(client, admin_user, demo):
    from kpis.models import Measurement

    client.force_login(admin_user)
    measurement = Measurement.objects.filter(area__name="Guldborgsund").first()
    url = reverse("admin:kpis_measurement_change", args=[measurement.pk])
    response = client.post(
        url,
        {
            "indicator": measurement.indicator_id,
            "area": measurement.area_id,
            "period": measurement.period_id,
            "value": str(measurement.value + 1),
            "source": "rettet",
            "revisions-TOTAL_FORMS": "0",
            "revisions-INITIAL_FORMS": "0",
            "revisions-MIN_NUM_FORMS": "0",
            "revisions-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    measurement.refresh_from_db()
    revision = measurement.revisions.get()
    assert revision.new_value == measurement.value
    assert revision.changed_by == admin_user


def test_an_admin_approves_a_round_which_freezes_it(client, admin_user, demo):
    from plans.models import ReportingRound, RoundResult

    draft = ReportingRound.objects.get(name="Afrapportering for 2024")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:plans_reportinground_changelist"),
        {"action": "approve", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == "approved" and draft.approved_by == admin_user
    assert RoundResult.objects.filter(round=draft).count() == draft.plan.targets.count()


def test_target_definitions_keep_a_full_history_that_admins_can_revert(client, admin_user, demo):
    target = Target.objects.get(title="Unge på offentlig forsørgelse")
    client.force_login(admin_user)
    url = reverse("admin:plans_target_change", args=[target.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"wording": "Maksimalt 1.050", "target_value": "1050",
                 "focus_areas": [fa.pk for fa in target.focus_areas.all()],
                 "revisions-TOTAL_FORMS": "0", "revisions-INITIAL_FORMS": "0",
                 "status-TOTAL_FORMS": "0", "status-INITIAL_FORMS": "0"})  # fmt: skip
    assert client.post(url, data).status_code == 302
    target.refresh_from_db()
    assert target.wording == "Maksimalt 1.050"
    changed = target.history.first()
    assert changed.history_user == admin_user and changed.history_type == "~"
    original = target.history.last()
    assert original.wording == "Maksimalt 1.075"

    history = client.get(reverse("admin:plans_target_history", args=[target.pk]))
    assert history.status_code == 200 and "Maksimalt 1.050" in history.content.decode()
    revert_url = reverse("admin:plans_target_simple_history", args=[target.pk, original.pk])
    form = client.get(revert_url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"focus_areas": [fa.pk for fa in target.focus_areas.all()],
                 "revisions-TOTAL_FORMS": "0", "revisions-INITIAL_FORMS": "0",
                 "status-TOTAL_FORMS": "0", "status-INITIAL_FORMS": "0"})  # fmt: skip
    assert client.post(revert_url, data).status_code == 302
    target.refresh_from_db()
    assert target.wording == "Maksimalt 1.075" and target.target_value == 1075


def test_an_admin_reverts_a_revised_figure_and_the_history_grows(client, admin_user, demo):
    from kpis.models import Measurement, MeasurementRevision
    from kpis.services import measurement_record

    measurement = Measurement.objects.filter(area__name="Guldborgsund").first()
    original = measurement.value
    measurement_record(indicator=measurement.indicator, area=measurement.area,
                       period=measurement.period, value=original + 5)  # fmt: skip
    client.force_login(admin_user)
    revision = MeasurementRevision.objects.get()
    response = client.post(
        reverse("admin:kpis_measurementrevision_changelist"),
        {"action": "revert", "_selected_action": [revision.pk]},
    )
    assert response.status_code == 302
    measurement.refresh_from_db()
    assert measurement.value == original
    assert MeasurementRevision.objects.count() == 2
