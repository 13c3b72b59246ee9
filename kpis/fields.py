"""Field helpers used across the models, so every figure is stored the same way."""

from decimal import Decimal

from django.conf import settings
from django.db import models

# The storage precision of every figure and required value, stated here only. Six decimals:
# enough for counts of the whole country and for shares to a millionth; twelve digits before
# the point. A value with more is refused where it is entered, never silently rounded.
DECIMAL_PLACES = 6
WHOLE_DIGITS = 12
MAX_DIGITS = WHOLE_DIGITS + DECIMAL_PLACES
STORED_QUANTUM = Decimal(1).scaleb(-DECIMAL_PLACES)  # 0.000001: what a stored value rounds to
LARGEST = Decimal(10) ** WHOLE_DIGITS  # the first value too large to store


def value_field(verbose_name, **options):
    """A measured or required value: exact decimal, to the precision above."""
    return models.DecimalField(
        verbose_name, max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, **options
    )


def optional_value_field(verbose_name, **options):
    return value_field(verbose_name, null=True, blank=True, **options)


def user_reference(verbose_name, **options):
    """Who did something. Kept as history even when the user account is removed."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        **options,
    )
