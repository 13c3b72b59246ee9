"""Invisible characters refused in text: one rule for the models, the forms, the API and imports.

Refused everywhere: the control characters (C0 U+0000–U+001F, DEL U+007F, C1 U+0080–U+009F)
and the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which
reorder what a reader sees ("Trojan Source", CVE-2021-42574): a right-to-left override in a
figure's source or a file name shows text other than what is stored. Multi-line text
(TextFields, textareas) keeps newline, carriage return (browsers send a textarea's lines as
CRLF) and tab; single-line text keeps none of them.

The left-to-right and right-to-left marks (U+200E, U+200F) are allowed: they change the
direction of the neutral characters next to them only, cannot reverse or hide a span of text,
and are what keyboards and word processors insert around an Arabic or Hebrew name.

Every free-text CharField and TextField, and the typed JSONFields (their strings), of the kpis
and plans models gets the validator when the app is ready (guard_text_fields), so the model's
full_clean, which the forms, the admin and the API's writes run, refuses them; fields with
choices and slugs have their own stricter validation. Imports check their text cells with
text_problem (kpis.importers), the bulk API its period and source (plans.api.serializers).
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_SINGLE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
_MULTI_LINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{BIDI_CONTROLS}]")


def text_problem(text, *, multiline=False) -> str | None:
    """Why the text cannot be stored, naming the first invisible character, or None."""
    if not isinstance(text, str):
        return None
    found = (_MULTI_LINE if multiline else _SINGLE_LINE).search(text)
    if found is None:
        return None
    return _("The text contains an invisible control character (%(code)s); remove it.") % {
        "code": f"U+{ord(found.group()):04X}"
    }


@deconstructible(path="jobcenter.text.VisibleText")
class VisibleText:
    """The validator: refuses control and bidi characters; multiline keeps \\n, \\r and \\t.
    A JSON value is checked string by string (single line), keys included."""

    def __init__(self, multiline=False):
        self.multiline = multiline

    def __call__(self, value):
        for text in _strings(value):
            problem = text_problem(text, multiline=self.multiline)
            if problem:
                raise ValidationError(problem, code="invisible_character")

    def __eq__(self, other):
        return isinstance(other, VisibleText) and other.multiline == self.multiline

    def __hash__(self):
        return hash(self.multiline)


single_line = VisibleText()
multi_line = VisibleText(multiline=True)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


# The JSON fields whose strings are typed: the others are written by the portal itself (an
# import's rows and errors, the engine's reasons) and never validated by a form.
TYPED_JSON = {("plans", "Initiative", "key_facts"), ("kpis", "IndicatorSource", "filters")}


def validator_for(field) -> VisibleText | None:
    """The validator a model field gets, or None (choices, slugs, other kinds of field)."""
    if getattr(field, "choices", None) or isinstance(field, models.SlugField):
        return None
    if isinstance(field, models.TextField):
        return multi_line
    if isinstance(field, models.CharField):
        return single_line
    meta = field.model._meta
    if isinstance(field, models.JSONField) and (
        (meta.app_label, meta.object_name, field.name) in TYPED_JSON
    ):
        return single_line
    return None


def guard_text_fields(app_config) -> None:
    """Adds the validator to every free-text field of the app's models (not to
    django-simple-history's copies, which are written from validated rows only)."""
    for model in app_config.get_models():
        if model.__name__.startswith("Historical"):
            continue
        for field in model._meta.local_fields:
            validator = validator_for(field)
            if validator is not None and validator not in field._validators:
                field._validators = [*field._validators, validator]
                field.__dict__.pop("validators", None)  # a cached list from before


def whole_number(text: str) -> int | None:
    """The text as a whole number where it is one in the digits 0–9, else None. str.isdigit()
    also takes "³" and "①", which int() then refuses: an id in a query string, a form field or
    another server's header would have been a server error."""
    return int(text) if text.isascii() and text.isdigit() else None
