"""Personas (who uses the portal) and the world most tests share: Guldborgsund, Ringsted, hele
landet, an indicator, a plan with a theme and targets, members of every role. The builders
behind them are in tests/builders.py; the demo data are loaded by the tests that need them."""

import pytest

from plans.models import Membership
from tests.builders import (
    make_country,
    make_indicator,
    make_municipality,
    make_theme_with_targets,
)


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


# -- the world most tests share: Guldborgsund beside Ringsted and hele landet -----------------
# Each fixture builds one part; a module's own world fixture takes the parts it needs and adds
# what is particular to it, so the same municipality is not built fifteen ways.


@pytest.fixture
def country():
    """Hele landet, the area every figure is compared with."""
    return make_country()


@pytest.fixture
def guldborgsund():
    """Guldborgsund (376) in RAR Sjælland (2015–2024) and the Sjælland council (2025–)."""
    return make_municipality("Guldborgsund", "376")


@pytest.fixture
def public_guldborgsund(guldborgsund):
    """Guldborgsund with its dashboards public: anyone reads its approved plans."""
    guldborgsund.public_dashboards = True
    guldborgsund.save()
    return guldborgsund


@pytest.fixture
def ringsted():
    """Ringsted (329), another municipality of the same RAR area, its dashboards not public."""
    return make_municipality("Ringsted", "329")


@pytest.fixture
def unge():
    """The shared indicator "unge" (a count, lower is better)."""
    return make_indicator("unge")


@pytest.fixture
def people(member):
    """people(municipality, username_prefix="") -> {role: user} for committee, analyst and
    administrator, each with an e-mail address at the municipality."""

    def make(municipality, prefix=""):
        users = {}
        for role in (Membership.Role.COMMITTEE, Membership.Role.ANALYST, Membership.Role.ADMIN):
            user = member(municipality, role, username=f"{prefix}{role}-{municipality.slug}")
            user.email = f"{role}@{municipality.slug}.dk"
            user.save()
            users[role] = user
        return users

    return make


@pytest.fixture
def theme_world(db):
    """theme_world(n_targets=1, n_periods=4, key="plan") -> (plan, theme): Guldborgsund's plan
    with one theme, its guidepost and initiative, threshold targets with monthly figures
    beside hele landet, a revision, statuses computed (tests/builders.make_theme_with_targets)."""

    def make(n_targets=1, n_periods=4, key="plan"):
        return make_theme_with_targets(n_targets, n_periods, key=key)

    return make
