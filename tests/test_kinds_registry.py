"""The registry of target kinds (plans.engine.kinds) is complete: every kind a target can have
has an entry, and every consumer (the model, the form, the API, the admin, the revise form, the
engine) serves every entry's fields."""

from datetime import date

import pytest

from plans.admin import TargetAdmin
from plans.api.serializers import RevisionSerializer, TargetSerializer
from plans.engine import kinds
from plans.engine import status as engine
from plans.forms import ReviseForm, TargetForm
from plans.models import Target, TargetRevision


def test_every_kind_of_target_has_an_entry_and_every_entry_is_a_kind():
    assert [value for value, _label in Target.Kind.choices] == [k.key for k in kinds.KINDS]
    assert Target._meta.get_field("kind").choices == kinds.choices()


@pytest.mark.parametrize("kind", kinds.KINDS, ids=lambda k: k.key)
def test_every_field_a_kind_names_is_a_field_of_the_model_the_form_and_the_api(kind):
    model_fields = {f.name for f in Target._meta.get_fields()}
    named = {*kind.fields, *kind.required, *kind.defaults()}
    assert named <= model_fields
    assert set(kind.fields) <= set(TargetForm.base_fields)
    assert set(kind.fields) <= set(TargetSerializer.Meta.fields)
    assert set(kinds.FIELD_DEFAULTS) >= set(kind.fields)
    assert set(kind.inputs) <= set(engine.INPUTS)
    assert set(kind.inputs) <= {f.name for f in engine.Inputs.__dataclass_fields__.values()}


@pytest.mark.parametrize("kind", kinds.KINDS, ids=lambda k: k.key)
def test_what_a_revision_may_change_is_a_field_of_the_revision_form_and_the_api(kind):
    if kind.revisable is None:
        return
    assert kind.revisable in ReviseForm.base_fields
    assert kind.revisable in RevisionSerializer.Meta.fields
    assert kind.revisable in {f.name for f in TargetRevision._meta.get_fields()}


def test_the_admin_shows_every_field_of_every_kind_once():
    shown = [name for _title, options in TargetAdmin.fieldsets for name in options["fields"]]
    for name in kinds.KIND_FIELDS:
        assert shown.count(name) == 1, name


@pytest.mark.parametrize("kind", kinds.KINDS, ids=lambda k: k.key)
def test_every_kind_is_evaluated_by_the_engine(kind):
    rule = engine.Rule(kind=kind.key, bound=engine.AT_MOST, deadline=date(2023, 12, 31))
    result = kinds.evaluate(rule, [], as_of=date(2024, 1, 31))
    assert result.status == engine.NO_DATA
    assert result.final


def test_an_unknown_kind_is_refused_by_name():
    rule = engine.Rule(kind="guess", bound=engine.AT_MOST, deadline=date(2023, 12, 31))
    with pytest.raises(ValueError, match="guess"):
        kinds.evaluate(rule, [], as_of=date(2024, 1, 31))
