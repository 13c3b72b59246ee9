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
