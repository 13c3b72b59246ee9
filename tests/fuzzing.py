"""Shared helpers of the property-based tests (hypothesis): how long they may run, a savepoint
per example, the state of the figures' tables, and what a message for a user must look like."""

import re
from contextlib import contextmanager

from django.apps import apps
from django.db import transaction
from hypothesis import HealthCheck, settings

from kpis.models import Measurement, MeasurementRevision, Period
from plans.models import TargetStatus

# Few, small examples without a deadline: the suite stays within a minute more. The world is
# built once per test by a fixture; each example runs in a savepoint rolled back after it.
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@contextmanager
def rolled_back():
    """One example's changes are undone before the next example starts."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def figures_state(*models):
    """Every row of the figures' tables (and of any further models given)."""
    tables = (Measurement, MeasurementRevision, Period, TargetStatus, *models)
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in tables}


def database_state():
    """Every row of the portal's own tables, history included (not the import batches, which
    keep each upload even when it is refused)."""
    state = {}
    for label in ("kpis", "plans"):
        for model in apps.get_app_config(label).get_models():
            if model.__name__ != "ImportBatch":
                state[model.__name__] = list(model.objects.order_by("pk").values())
    return state


# What a message for a person must not contain: a traceback, a Python repr, English from a
# library. And what a Danish sentence has: at least one common Danish word.
_MACHINE = re.compile(
    r"Traceback|File \"|Error\b|Exception|object at 0x|\\x[0-9a-f]{2}|\bb'|\bNone\b|"
    r"\b(the|is|not|could|expected|line|field|tokenizing)\b",
    re.IGNORECASE,
)
_DANISH = re.compile(
    r"\b(er|ikke|og|en|et|på|for|til|af|med|kan|filen|linje|tal|område|periode|indikator|"
    r"ukendt|højst|mindst|skriv|vælg|samme|kolonne\w*|under|over|findes|ingen|mellem)\b",
    re.IGNORECASE,
)


def assert_clear_danish(message):
    text = str(message or "")
    assert text.strip(), "an empty message"
    assert not _MACHINE.search(text), f"not a message for a person: {text!r}"
    assert _DANISH.search(text), f"not Danish: {text!r}"
