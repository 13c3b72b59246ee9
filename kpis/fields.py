"""Field helpers used across the models, so every figure is stored the same way."""

from django.conf import settings
from django.db import models

# Figures are kept to six decimals: enough for counts of the whole country and for shares to a
# millionth. A value with more is refused where it is entered, never silently rounded.
DECIMAL_PLACES = 6


def value_field(verbose_name, **options):
    """A measured or required value: exact decimal, 12 digits before the point and 6 after."""
    return models.DecimalField(
        verbose_name, max_digits=12 + DECIMAL_PLACES, decimal_places=DECIMAL_PLACES, **options
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
