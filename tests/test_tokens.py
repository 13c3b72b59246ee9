"""Anyone signed in makes, names and revokes their own API tokens on /account/tokens/; a key
is shown once and works as `Authorization: Token <key>` until it is revoked."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from plans.members import services
from plans.members.models import ApiToken, MemberEvent, secret_hash
from plans.models import Membership
from tests.builders import make_municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(member):
    return member(make_municipality("Ringsted", "329"), Membership.Role.ANALYST)


def key_on(page) -> str:
    return re.search(r'id="new-key" class="code" value="([^"]+)"', page).group(1)


def test_a_token_is_made_shown_once_used_and_revoked(client, analyst):
    client.force_login(analyst)
    made = client.post(reverse("plans:tokens"), {"name": "Power BI"})
    assert made.status_code == 200 and made["Cache-Control"] == "no-store"
    key = key_on(made.content.decode())
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.prefix) == (analyst, "Power BI", key[:8])
    assert token.key_hash == secret_hash(key) and key not in token.key_hash  # only the hash
    again = client.get(reverse("plans:tokens")).content.decode()
    assert key not in again and f"{key[:8]}…" in again  # shown once, then its beginning
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/plans/").status_code == 200
    answer = api.post("/api/plans/", {}, format="json")  # authenticated as the analyst
    assert answer.status_code == 400 or answer.status_code == 403
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert client.post(reverse("plans:token_revoke", args=[token.pk])).status_code == 302
    refused = api.get("/api/plans/")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Token"
    assert refused.json()["error"]["status"] == 401
    assert "tilbagekaldt" in refused.json()["error"]["message"]
    actions = list(MemberEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["token_created", "token_revoked"]


def test_an_unknown_key_is_refused_with_401(client):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token ikke-en-noegle")
    assert api.get("/api/plans/").status_code == 401


def test_a_deactivated_users_token_stops_working(analyst, member):
    _token, key = services.token_create(user=analyst, name="natlig indlæsning")
    membership = Membership.objects.get(user=analyst)
    administrator = member(membership.municipality, Membership.Role.ADMIN)
    services.member_deactivate(membership=membership, by=administrator)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/plans/").status_code == 401


def test_another_users_token_cannot_be_revoked(client, analyst, django_user_model):
    token, key = services.token_create(user=analyst, name="Analytikerens nøgle")
    other = django_user_model.objects.create_user("anden")
    client.force_login(other)
    assert client.post(reverse("plans:token_revoke", args=[token.pk])).status_code == 404
    assert "Analytikerens nøgle" not in client.get(reverse("plans:tokens")).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/plans/").status_code == 200


def test_a_token_needs_a_name(client, analyst):
    client.force_login(analyst)
    response = client.post(reverse("plans:tokens"), {"name": "  "})
    assert response.status_code == 400 and not ApiToken.objects.exists()
    assert 'role="alert"' in response.content.decode()


def test_several_tokens_each_revoked_alone(analyst):
    first, first_key = services.token_create(user=analyst, name="en")
    _second, second_key = services.token_create(user=analyst, name="to")
    services.token_revoke(token=first, by=analyst)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {second_key}")
    assert api.get("/api/plans/").status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {first_key}")
    assert api.get("/api/plans/").status_code == 401


def test_the_tokens_page_needs_a_login(client):
    assert client.get(reverse("plans:tokens")).status_code == 302
