"""Filter forms of the portal's lists. They only read the query string; choices come from the
user's scope, so a select never lists a region the user cannot see."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import CooperativeStatus, MemberStatus
from .selectors import visible_districts, visible_regencies


class CooperativeFilterForm(forms.Form):
    q = forms.CharField(label=_("Cooperative name"), required=False, max_length=100)
    kabupaten = forms.ChoiceField(label=_("Regency/city"), required=False)
    kecamatan = forms.ChoiceField(label=_("District (kecamatan)"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *CooperativeStatus.choices],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regencies = [(r.code, r.name) for r in visible_regencies(user=user)]
        cast(forms.ChoiceField, self.fields["kabupaten"]).choices = [
            ("", _("All regencies/cities")),
            *regencies,
        ]
        chosen = self.data.get("kabupaten", "")
        if chosen not in {code for code, _name in regencies}:
            chosen = regencies[0][0] if len(regencies) == 1 else ""
        # Without JavaScript the kecamatan list can only follow the kabupaten after a submit:
        # until one is chosen, the list stays short instead of carrying every kecamatan.
        self.districts_need_regency = not chosen
        districts = (
            [(d.code, d.name) for d in visible_districts(user=user, regency_code=chosen)]
            if chosen
            else []
        )
        cast(forms.ChoiceField, self.fields["kecamatan"]).choices = [
            ("", _("All districts")),
            *districts,
        ]

    def filters(self) -> dict[str, str]:
        """The valid filters as keyword arguments of `cooperative_directory`; an invalid field
        (a stale kecamatan after the kabupaten changed) is dropped, never an error."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "search": (data.get("q") or "").strip(),
            "regency_code": data.get("kabupaten") or "",
            "district_code": data.get("kecamatan") or "",
            "status": data.get("status") or "",
        }


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or NIK"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *MemberStatus.choices],
    )

    def filters(self) -> dict[str, str]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"search": (data.get("q") or "").strip(), "status": data.get("status") or ""}
