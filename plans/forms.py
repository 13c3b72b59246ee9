from decimal import Decimal

from django import forms
from django.core import validators
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jobcenter.text import multi_line, single_line, text_problem
from kpis.danish import DanishNumberError, format_plain, numbers_in, parse_number
from kpis.fields import DECIMAL_PLACES
from kpis.models import Area, Indicator, Period
from kpis.periods import FIRST_YEAR, LAST_YEAR, PeriodError
from kpis.selectors import period_for
from plans.engine import kinds
from plans.models import Committee, FocusArea, Guidepost, Initiative, Plan, Target

MAX_UPLOAD_BYTES = 100 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV or Excel, exported from jobindsats.dk or filled in from the template."),
    )
    indicator = forms.ModelChoiceField(
        label=_("Indicator"),
        queryset=Indicator.objects.order_by("name"),
        required=False,
        help_text=_("For a jobindsats.dk export: the indicator its figures belong to."),
    )
    value_column = forms.CharField(
        label=_("Value column"),
        required=False,
        max_length=200,
        validators=[single_line],
        help_text=_("Only if the file has several value columns: the name of the one to read."),
    )

    def __init__(self, *args, indicators, **kwargs):
        """indicators: those the user may load (plans.access.loadable_indicators); another
        municipality's local indicator is not offered."""
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators.order_by("name")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 100 MB."))
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx", ".xlsm")):
            raise forms.ValidationError(_("Choose a CSV or Excel (.xlsx) file."))
        problem = text_problem(upload.name)  # the name is shown and is each figure's source
        if problem:
            raise forms.ValidationError(problem)
        return upload


class DanishNumberField(forms.CharField):
    """A number typed the Danish way ("1.075", "58,8", "−0,3"), exact as a Decimal."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_number(value)
        except DanishNumberError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            text = f"{value.normalize():f}"
            return text.replace(".", ",")
        return value


class PeriodField(forms.CharField):
    """A period as a code or a Danish label ("2022M11", "4.kv.22 - 3.kv.23", "maj 2022")."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return period_for(value)  # not stored until the target is saved
        except PeriodError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def prepare_value(self, value):
        if isinstance(value, int):  # the stored period's key
            value = Period.objects.filter(pk=value).first()
        return value.label if isinstance(value, Period) else value


# Which fields each kind of target asks for (beyond title, wording, indicator, deadline), for
# the form's script: the registry's, plans.engine.kinds.
KIND_FIELDS = {k.key: list(k.fields) for k in kinds.KINDS}


def wording_contradiction(wording, old, new) -> bool:
    """The value changed from one the wording states to one it does not: the card would say
    "Maksimalt 950" beside a document quoting 1.075."""
    if old is None or new is None or old == new:
        return False
    stated = numbers_in(wording)
    return old in stated and new not in stated


class TargetForm(forms.ModelForm):
    target_value = DanishNumberField(label=_("Target value"), required=False)
    tolerance = DanishNumberField(
        label=_("Tolerance for near"), required=False,
        help_text=_("How far from the requirement still counts as near, in the indicator's unit."),
    )  # fmt: skip
    baseline_value = DanishNumberField(label=_("Baseline value"), required=False)
    baseline_period = PeriodField(
        label=_("Baseline period"), required=False,
        help_text=_("e.g. 2022, 2022M11, 4.kv.22 - 3.kv.23 or maj 2022"),
    )  # fmt: skip
    change_amount = DanishNumberField(
        label=_("Change"), required=False,
        help_text=_("Empty: any change in the good direction (“Reduktion”, “skal falde”)."),
    )  # fmt: skip
    margin = DanishNumberField(
        label=_("Margin"), required=False,
        help_text=_("Distance required on the good side of the comparison area, the expected "
                    "level or the comparable municipalities: 1 for “mindst 1 procentpoint under "
                    "landsgennemsnittet”, 0 for “på niveau med”."),
    )  # fmt: skip
    gap_reduction = DanishNumberField(
        label=_("Gap reduction"), required=False,
        help_text=_("For “gabet skal nedbringes med mindst 0,2 procentpoint”: 0,2."),
    )  # fmt: skip

    class Meta:
        model = Target
        fields = [
            "title", "code", "wording", "indicator", "focus_areas", "kind",
            *kinds.KIND_FIELDS,  # the fields some kind asks for (plans.engine.kinds)
            "period_kind", "measure_from", "deadline", "baseline_value", "baseline_period",
            "source",
        ]  # fmt: skip
        widgets = {
            "kind": forms.RadioSelect,
            "focus_areas": forms.CheckboxSelectMultiple,
            "deadline": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "measure_from": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        }

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["focus_areas"].queryset = plan.focus_areas.all()
        self.fields["indicator"].queryset = Indicator.objects.filter(
            Q(owner__isnull=True) | Q(owner=plan.municipality)
        ).order_by("name")
        # The choices the model's validation allows (Target.clean), without the plan's own area.
        self.fields["comparison_area"].queryset = Target.comparison_areas_allowed().exclude(
            pk=plan.municipality_id
        )
        for name in ("bound", "milestone_state", "count_mode", "comparable_measure"):
            self.fields[name].required = False  # asked only of the kinds that need them
        self.fields["kind"].choices = Target.Kind.choices  # no empty choice among the kinds

    def requirement_fields(self):
        """The fields some kind asks for, in the registry's order; the page's script shows
        those of the chosen kind."""
        return [self[name] for name in kinds.KIND_FIELDS]

    # Set when the changed value contradicts the wording: the page then points to "Justér
    # måltallet", the way to change a target during its life and keep the original.
    wording_conflict = False

    def clean(self):
        cleaned = super().clean()
        for name, problem in kinds.bound_problem(cleaned.get("kind"), cleaned).items():
            if name not in self.errors:
                self.add_error(name, problem)
        self._check_wording(cleaned)
        # What another kind asks for is reset, so changing the kind leaves nothing behind.
        cleaned.update(kinds.with_defaults(cleaned.get("kind"), cleaned))
        return cleaned

    def _check_wording(self, cleaned):
        """Before _post_clean the instance still holds the stored definition."""
        if not self.instance.pk:
            return
        for name in ("target_value", "margin"):
            old, new = getattr(self.instance, name), cleaned.get(name)
            if name in self.errors or not wording_contradiction(cleaned.get("wording"), old, new):
                continue
            self.wording_conflict = True
            self.add_error(name, _(
                "The wording still says %(old)s, but the value is now %(new)s. Change the "
                "wording to match, or, if the target was adjusted during its life, keep the "
                "value and use “Revise the target value” below: the original stays beside the "
                "revision."
            ) % {"old": format_plain(old), "new": format_plain(new)})  # fmt: skip


class ReviseForm(forms.Form):
    """ "Det justerede måltal er 20 %": a new target value from a date, with the reason."""

    effective = forms.DateField(
        label=_("In force from"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    target_value = DanishNumberField(label=_("New target value"), required=False)
    margin = DanishNumberField(label=_("New margin"), required=False)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), validators=[multi_line]
    )

    def __init__(self, *args, target, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        # What a revision changes is the kind's (plans.engine.kinds): the value the rule reads.
        wanted = kinds.get(target.kind).revisable
        for name in kinds.REVISABLE_FIELDS:
            if name != wanted:
                del self.fields[name]

    @property
    def revisable(self):
        return kinds.get(self.target.kind).revisable is not None

    def clean(self):
        cleaned = super().clean()
        wanted = kinds.get(self.target.kind).revisable
        if wanted is None:
            raise forms.ValidationError(
                _("This kind of target has no value to revise; edit the target instead.")
            )
        if cleaned.get(wanted) is None:
            self.add_error(wanted, _("This field is required."))
        return cleaned


ISO_DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["title", "kind", "committee", "start_year", "end_year", "approval_state",
                  "approved_on", "approved_by", "summary", "narratives_required"]  # fmt: skip
        widgets = {"approved_on": ISO_DATE}

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.municipality = municipality
        self.fields["committee"].queryset = municipality.committees.all()
        for name in ("start_year", "end_year"):  # "1800" or "20233" is a typing error
            self.fields[name].min_value, self.fields[name].max_value = FIRST_YEAR, LAST_YEAR
            self.fields[name].validators += [validators.MinValueValidator(FIRST_YEAR),
                                             validators.MaxValueValidator(LAST_YEAR)]  # fmt: skip


class FocusAreaForm(forms.ModelForm):
    class Meta:
        model = FocusArea
        fields = ["number", "title", "intro", "order"]


class KeyFactsField(forms.CharField):
    """Key facts typed one a line, kept as a list."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class InitiativeForm(forms.ModelForm):
    key_facts = KeyFactsField(
        label=_("Key facts"), required=False, help_text=_("One a line, e.g. “16 partnerskaber”.")
    )

    class Meta:
        model = Initiative
        fields = ["title", "body", "key_facts", "order"]
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}


GuidepostFormSet = forms.inlineformset_factory(
    FocusArea, Guidepost, fields=["text", "order"], extra=1, can_delete=True,
    widgets={"text": forms.Textarea(attrs={"rows": 2})},
)  # fmt: skip
InitiativeFormSet = forms.inlineformset_factory(
    FocusArea, Initiative, form=InitiativeForm, extra=1, can_delete=True
)


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "description", "unit", "decimals", "direction", "data_source", "owner"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, owners, shared_allowed, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].required = not shared_allowed
        self.fields["owner"].label = _("Local to municipality")
        self.fields["owner"].help_text = _(
            "Empty: a shared indicator that every municipality can use (superusers only)."
        )
        # No more decimals than figures are stored with (kpis.fields); 99999 broke every page.
        self.fields["decimals"].max_value = DECIMAL_PLACES
        self.fields["decimals"].validators.append(validators.MaxValueValidator(DECIMAL_PLACES))


class ComparablesForm(forms.Form):
    """A municipality's comparable municipalities, chosen among the others by name (the
    service, kpis.services.area_comparables_set, holds the rules)."""

    comparables = forms.MultipleChoiceField(
        label=_("Comparable municipalities"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, municipality, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {a.slug: a for a in candidates if a.pk != municipality.pk}
        self.fields["comparables"].choices = [(s, a.name) for s, a in self.candidates.items()]

    def chosen(self) -> list[Area]:
        return [self.candidates[slug] for slug in self.cleaned_data["comparables"]]

    def by_region(self) -> list[tuple[str, list]]:
        """The checkboxes grouped by the municipalities' regions, for fieldsets of their own."""
        groups: dict[str, list] = {}
        for checkbox in self["comparables"]:
            area = self.candidates[str(checkbox.data["value"])]
            groups.setdefault(area.region.name if area.region else _("No region"), []).append(
                checkbox
            )
        return sorted(groups.items())


class RevertForm(forms.Form):
    """Which earlier version of a target to put back: one of this target's own versions."""

    version = forms.IntegerField(
        label=_("Version"),
        error_messages={"required": _("Choose the version to put back.")},
    )

    def __init__(self, *args, target, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target

    def clean_version(self):
        version = self.cleaned_data["version"]
        if not self.target.history.filter(history_id=version).exists():
            raise forms.ValidationError(_("The target has no such version."))
        return version


class PlanCopyForm(forms.Form):
    """ "Ny plan ud fra denne": the new plan's title and years."""

    title = forms.CharField(label=_("Title"), max_length=200)
    start_year = forms.IntegerField(
        label=_("First year"), min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    end_year = forms.IntegerField(label=_("Last year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_year"), cleaned.get("end_year")
        if start and end and end < start:
            self.add_error("end_year", _("The last year cannot come before the first."))
        return cleaned


class TargetCopyForm(forms.Form):
    """One target of the plan being copied: its new deadline and baseline."""

    target = forms.IntegerField(widget=forms.HiddenInput)
    deadline = forms.DateField(label=_("New deadline"), widget=ISO_DATE)
    baseline_value = DanishNumberField(label=_("Baseline value"), required=False)
    baseline_period = PeriodField(
        label=_("Baseline period"), required=False, help_text=_("e.g. 2024, 2024M11 or 4.kv.24")
    )

    def clean(self):
        cleaned = super().clean()
        value, period = cleaned.get("baseline_value"), cleaned.get("baseline_period")
        if (value is None) != (period is None) and not self.errors:
            raise forms.ValidationError(
                _("A baseline needs both a value and a period; leave both empty for none.")
            )
        return cleaned


TargetCopyFormSet = forms.formset_factory(TargetCopyForm, extra=0)


class CommitteeForm(forms.ModelForm):
    """A committee's name and short name, on the municipality's settings page."""

    class Meta:
        model = Committee
        fields = ["name", "short_name"]
        labels = {"name": _("Name"), "short_name": _("Short name")}
        help_texts = {"short_name": _("e.g. BEU")}


class PublicDashboardsForm(forms.Form):
    public_dashboards = forms.BooleanField(
        label=_("approved dashboards are public"), required=False,
        help_text=_("Anyone, without logging in, may read this municipality's approved plans."),
    )  # fmt: skip


class IndicatorFilterForm(forms.Form):
    """The indicator list's search and filters, read from the query string (?q=, ?tema=,
    ?kommune=), so they work without JavaScript and a filtered list can be linked to."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        validators=[single_line])  # fmt: skip
    tema = forms.ModelChoiceField(label=_("Focus area"), queryset=FocusArea.objects.none(),
                                  required=False, empty_label=_("All focus areas"))  # fmt: skip
    kommune = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Area.objects.none(), required=False,
        to_field_name="slug", empty_label=_("All municipalities"),
    )  # fmt: skip

    def __init__(self, *args, focus_areas, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tema"].queryset = focus_areas.select_related("plan__municipality")
        self.fields["tema"].label_from_instance = lambda fa: (
            f"{fa.plan.municipality.name} {fa.plan.years}: {fa}"
        )
        self.fields["kommune"].queryset = municipalities
