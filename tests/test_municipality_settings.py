"""A municipality's administrators run its settings without the Django admin: its committees
(listed, added, renamed) and whether its approved dashboards are public."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from plans import services
from plans.models import Committee, Membership
from tests.builders import make_municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def ringsted():
    return make_municipality("Ringsted", "329")


@pytest.fixture
def administrator(member, ringsted):
    return member(ringsted, Membership.Role.ADMIN)


def settings_url(municipality):
    return reverse("plans:municipality_settings", args=[municipality.slug])


def test_the_service_adds_and_renames_a_committee(ringsted, administrator):
    committee = services.committee_create(
        municipality=ringsted, name=" Beskæftigelsesudvalget ", short_name="BEU", by=administrator
    )
    assert (committee.name, committee.short_name) == ("Beskæftigelsesudvalget", "BEU")
    with pytest.raises(ValidationError):  # one name once per municipality
        services.committee_create(municipality=ringsted, name="Beskæftigelsesudvalget")
    with pytest.raises(ValidationError):
        services.committee_create(municipality=ringsted, name="")
    services.committee_rename(
        committee=committee, name="Arbejdsmarkedsudvalget", short_name="AMU", by=administrator
    )
    assert Committee.objects.get(pk=committee.pk).short_name == "AMU"


def test_the_services_refuse_someone_who_is_not_an_administrator(ringsted, member):
    analyst = member(ringsted, Membership.Role.ANALYST)
    with pytest.raises(PermissionDenied):
        services.committee_create(municipality=ringsted, name="BEU", by=analyst)
    with pytest.raises(PermissionDenied):
        services.public_dashboards_set(municipality=ringsted, public=True, by=analyst)
    ringsted.refresh_from_db()
    assert not ringsted.committees.exists() and not ringsted.public_dashboards


def test_the_page_lists_adds_and_renames_committees(client, ringsted, administrator):
    client.force_login(administrator)
    page = client.get(settings_url(ringsted))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Kommunens indstillinger" in text or "Indstillinger for Ringsted" in text
    assert "har ingen udvalg endnu" in text
    response = client.post(
        settings_url(ringsted),
        {"action": "committee_new", "new-name": "Beskæftigelsesudvalget", "new-short_name": "BEU"},
    )
    assert response.status_code == 302
    committee = ringsted.committees.get()
    page = client.get(settings_url(ringsted)).content.decode()
    assert "Udvalget Beskæftigelsesudvalget er tilføjet" in page
    response = client.post(
        settings_url(ringsted),
        {"action": "committee_rename", "committee": committee.pk,
         f"c{committee.pk}-name": "Arbejdsmarkedsudvalget", f"c{committee.pk}-short_name": "AMU"},
    )  # fmt: skip
    assert response.status_code == 302
    committee.refresh_from_db()
    assert (committee.name, committee.short_name) == ("Arbejdsmarkedsudvalget", "AMU")


def test_a_duplicate_or_empty_committee_is_refused_on_the_page(client, ringsted, administrator):
    services.committee_create(municipality=ringsted, name="Beskæftigelsesudvalget")
    client.force_login(administrator)
    for name in ["Beskæftigelsesudvalget", "", "Udvalg\u202e"]:
        response = client.post(
            settings_url(ringsted), {"action": "committee_new", "new-name": name}
        )
        assert response.status_code == 400, name
        assert "Intet blev gemt" in response.content.decode()
    assert ringsted.committees.count() == 1


def test_another_municipalitys_committee_cannot_be_renamed(client, ringsted, administrator):
    other = services.committee_create(
        municipality=make_municipality("Guldborgsund", "376"), name="Udvalget"
    )
    client.force_login(administrator)
    response = client.post(
        settings_url(ringsted),
        {"action": "committee_rename", "committee": other.pk, f"c{other.pk}-name": "Mit"},
    )
    assert response.status_code == 404
    assert Committee.objects.get(pk=other.pk).name == "Udvalget"


def test_the_administrator_makes_the_dashboards_public_and_private(client, ringsted, administrator):
    services.plan_create(
        municipality=ringsted, key="r", title="Plan r", kind="employment_plan",
        start_year=2025, end_year=2025, approval_state="approved",
    )  # fmt: skip
    plan_url = reverse("plans:plan", args=["r"])
    assert client.get(plan_url).status_code == 404
    client.force_login(administrator)
    url = settings_url(ringsted)
    response = client.post(url, {"action": "public_dashboards", "public-public_dashboards": "on"})
    assert response.status_code == 302
    ringsted.refresh_from_db()
    assert ringsted.public_dashboards
    client.logout()
    assert client.get(plan_url).status_code == 200
    client.force_login(administrator)
    client.post(url, {"action": "public_dashboards"})
    ringsted.refresh_from_db()
    assert not ringsted.public_dashboards


def test_the_members_page_and_the_plan_form_link_to_the_settings(client, ringsted, administrator):
    client.force_login(administrator)
    url = settings_url(ringsted)
    assert url in client.get(reverse("plans:members", args=[ringsted.slug])).content.decode()
    plan_form = client.get(reverse("plans:plan_new"), {"municipality": ringsted.pk})
    assert f"{url}#new-committee" in plan_form.content.decode()
    assert "Nyt udvalg" in plan_form.content.decode()


def test_an_unknown_action_is_a_bad_request(client, ringsted, administrator):
    client.force_login(administrator)
    assert client.post(settings_url(ringsted), {"action": "nothing"}).status_code == 400
