"""The error pages a committee member may meet, in Danish with DEBUG off (as in production):
a draft round (404), a page their role does not allow (403), and an error on the server (500)."""

import pytest
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.views.defaults import server_error

from kpis.models import Area
from plans.models import Membership, Plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


@override_settings(DEBUG=False, ACCESSIBILITY_STATEMENT_URL="https://www.was.digst.dk/kpi")
def test_a_draft_round_is_the_danish_not_found_page(client, demo):
    plan = Plan.objects.get(key="guldborgsund-beu-2023")
    draft = plan.rounds.get(name="Afrapportering for 2024")
    response = client.get(reverse("plans:round", args=[plan.key, draft.pk]))
    page = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="da">' in page and "Siden findes ikke" in page
    assert "Page not found" not in page and "Traceback" not in page
    assert 'href="/"' in page  # the way back to the start page
    assert 'href="https://www.was.digst.dk/kpi">Tilgængelighedserklæring' in page


@override_settings(DEBUG=False)
def test_a_page_the_role_does_not_allow_is_the_danish_access_denied_page(client, demo, member):
    ringsted = Area.objects.get(slug="ringsted")
    client.force_login(member(ringsted, Membership.Role.COMMITTEE))
    response = client.get(reverse("plans:comparables", args=[ringsted.slug]))
    page = response.content.decode()
    assert response.status_code == 403
    assert "Adgang nægtet" in page and "403 Forbidden" not in page


@override_settings(DEBUG=False)
def test_a_server_error_is_the_danish_error_page_without_a_request_context(db):
    response = server_error(RequestFactory().get("/plans/x/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="da">' in page and "Der opstod en fejl" in page
    assert "Server Error" not in page
    # Who is signed in is not known to it: it offers no "Log ind" to someone who is.
    assert "Log ind" not in page
