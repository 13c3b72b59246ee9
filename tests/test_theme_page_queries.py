"""The theme page asks the database the same number of times however many cards it shows,
also for change targets, whose Måltal line ("Minimum 11,8 %") is read from their rule."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import Target

pytestmark = pytest.mark.django_db


def _queries(client, plan, theme) -> int:
    url = reverse("plans:theme", args=[plan.key, theme.key])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_theme_page_reads_as_often_for_three_change_targets_as_for_one(
    client, admin_user, theme_world
):
    plan, theme = theme_world(3)
    Target.objects.filter(plan=plan).update(
        kind=Target.Kind.CHANGE, change_amount=Decimal(1), target_value=None
    )
    client.force_login(admin_user)
    three = _queries(client, plan, theme)
    assert (
        "Minimum" in client.get(reverse("plans:theme", args=[plan.key, theme.key])).content.decode()
    )
    for target in list(theme.targets.order_by("id"))[1:]:
        theme.targets.remove(target)
    one = _queries(client, plan, theme)
    assert three == one


def test_the_plans_other_themes_cost_no_query_each(client, admin_user, theme_world):
    """The links to the plan's other themes: one query for all of them, however many."""
    from plans import services

    plan, theme = theme_world(1)
    client.force_login(admin_user)
    services.focus_area_create(plan=plan, key="other-0", title="Sundhed", order=1)
    one = _queries(client, plan, theme)
    for i in range(1, 4):
        services.focus_area_create(plan=plan, key=f"other-{i}", title=f"Tema {i}", order=i + 1)
    page = client.get(reverse("plans:theme", args=[plan.key, theme.key])).content.decode()
    assert "Tema 3" in page
    assert _queries(client, plan, theme) == one
