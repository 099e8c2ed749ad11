"""TOOLS › EXPORTEREN's choices: the format, the school or one class, archived or not."""

from django import forms
from django.utils.translation import gettext_lazy as _

from klasse.accounts.models import SchoolClass


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Formaat"),
        choices=[("csv", _("CSV (Excel, puntkomma's)")), ("xlsx", _("Excel-werkmap (XLSX)"))],
        widget=forms.RadioSelect,
        initial="csv",
    )
    school_class = forms.ModelChoiceField(
        label=_("Klas"),
        queryset=SchoolClass.objects.none(),
        required=False,
        empty_label=_("de hele school"),
    )
    include_archived = forms.BooleanField(label=_("Ook gearchiveerde accounts"), required=False)

    def __init__(self, *args, school_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = SchoolClass.objects.filter(school_id=school_id)
