"""Forms of the SHU page and the national data page. They only read what was typed;
finance.services.shu decides (the 100 % rule, the RAT's dates)."""

import datetime
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from forms.fields import DateInput

from ..models import AnnualMeeting, ShuPolicy
from ..shu import PART_LABELS

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]
FIRST_YEAR = 2000


def _percent_field(name: str) -> forms.DecimalField:
    model_field = cast(models.Field, ShuPolicy._meta.get_field(name))
    return forms.DecimalField(
        label=format_lazy("{} (%)", PART_LABELS[name]),
        help_text=str(getattr(model_field, "help_text", "") or ""),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
    )


class ShuPolicyForm(forms.Form):
    from_year = forms.IntegerField(
        label=_("Applies from the year"),
        min_value=FIRST_YEAR,
        help_text=_("Until a later allocation replaces it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for part in ShuPolicy.PARTS:
            self.fields[part] = _percent_field(part)
        self.fields["other_label"] = forms.CharField(
            label=_("Name of the other part"), required=False, max_length=100
        )

    @staticmethod
    def initial_from(policy: ShuPolicy | None, year: int) -> dict[str, Any]:
        if policy is None:
            return {"from_year": year}
        initial: dict[str, Any] = {"from_year": policy.from_year}
        for part in ShuPolicy.PARTS:
            initial[part] = getattr(policy, part)
        initial["other_label"] = policy.other_label
        return initial

    def percentages(self) -> dict[str, Any]:
        data = {part: self.cleaned_data.get(part) or Decimal(0) for part in ShuPolicy.PARTS}
        data["other_label"] = self.cleaned_data.get("other_label", "")
        return data


class AnnualMeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput(), input_formats=DATE_FORMATS)
    members_present = forms.IntegerField(label=_("Members present"), min_value=0)
    pengurus = forms.IntegerField(label=_("Pengurus (board members)"), min_value=0)
    pengawas = forms.IntegerField(label=_("Pengawas (supervisors)"), min_value=0)
    employees = forms.IntegerField(label=_("Employees"), min_value=0)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example the number of the minutes (berita acara)."),
    )

    @staticmethod
    def initial_from(meeting: AnnualMeeting | None) -> dict[str, Any]:
        if meeting is None:
            return {}
        return {
            "held_on": meeting.held_on,
            "members_present": meeting.members_present,
            "pengurus": meeting.pengurus,
            "pengawas": meeting.pengawas,
            "employees": meeting.employees,
            "notes": meeting.notes,
        }


class DatasetsForm(forms.Form):
    """The national data page's choices (GET): the ODS year and the SIMKOPDES date."""

    tahun = forms.IntegerField(label=_("Year of the ODS data"), required=False)
    tanggal = forms.DateField(
        label=_("Savings on"), required=False, widget=DateInput(), input_formats=DATE_FORMATS
    )

    def clean_tahun(self) -> int:
        today = timezone.localdate()
        year = self.cleaned_data.get("tahun") or today.year - 1
        if not FIRST_YEAR <= year <= today.year:
            raise ValidationError(
                _("Choose a year from %(first)s to %(last)s.")
                % {"first": FIRST_YEAR, "last": today.year}
            )
        return year

    def clean_tanggal(self) -> datetime.date:
        today = timezone.localdate()
        day = self.cleaned_data.get("tanggal") or today
        if day > today:
            raise ValidationError(_("Choose a day up to today."))
        return day
