from django import forms
from django.utils.translation import gettext_lazy as _

from kpis.models import Indicator

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
        help_text=_("Only if the file has several value columns: the name of the one to read."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 100 MB."))
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx", ".xlsm")):
            raise forms.ValidationError(_("Choose a CSV or Excel (.xlsx) file."))
        return upload
