from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from cooperatives.enums import Role


class KopdesFormPageForm(WagtailAdminPageForm):
    """Audience as tick boxes of roles, stored as a list of role codes."""

    audience = forms.MultipleChoiceField(
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("who may fill it"),
        help_text=_("Nobody ticked means operators of the cooperative."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance and self.instance.audience:
            self.initial["audience"] = list(self.instance.audience)
