"""Personas: who uses the portal. Municipalities and plans come from tests/builders.py or the
demo data."""

import pytest

from plans.models import Membership


@pytest.fixture
def admin_user(django_user_model):
    """A superuser, as the jobcenter's system administrator."""
    return django_user_model.objects.create_superuser("admin", "admin@example.dk", "pw-admin-1")


@pytest.fixture
def member(django_user_model):
    """make(municipality, role) -> a user with that role in that municipality."""

    def make(municipality, role=Membership.Role.ANALYST, username=None):
        username = username or f"{role}-{municipality.slug}"
        user, _created = django_user_model.objects.get_or_create(username=username)
        Membership.objects.create(user=user, municipality=municipality, role=role)
        return user

    return make


@pytest.fixture
def analyst_client(client, member):
    """login(municipality) logs the test client in as an analyst of that municipality."""

    def login(municipality):
        client.force_login(member(municipality))
        return client

    return login
