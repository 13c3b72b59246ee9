import pytest


@pytest.fixture
def admin_user(django_user_model):
    """An admin who edits plans, indicators and target definitions."""
    return django_user_model.objects.create_superuser("admin", "admin@example.dk", "pw-admin-1")
