"""Django form fields for the Indonesian answers the forms ask for."""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cooperatives.validators import normalize_nik, normalize_phone

_AMOUNT = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d{1,2})?$|^-?\d+(,\d{1,2})?$")


def parse_rupiah(value: object) -> int | None:
    """Whole Rupiah from 1000000, "1.000.000", "Rp 1.000.000", "1.000.000,00" or "Rp100.000,-".

    Raises ValidationError for anything else (words, two decimal separators, cents that are not
    zero: a Rupiah amount has no cents).
    """
    if value is None:
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text:
        return None
    text = re.sub(r"(?i)^rp\.?\s*", "", text).replace(" ", "").replace("\u00a0", "")
    text = re.sub(r",-$", "", text)
    if text == "-":
        return 0
    if not _AMOUNT.match(text):
        raise ValidationError(
            _("Write an amount in Rupiah, e.g. 1.500.000 (dots between thousands)."),
            code="rupiah",
        )
    whole, _sep, cents = text.partition(",")
    if cents and int(cents) != 0:
        raise ValidationError(_("A Rupiah amount has no cents."), code="rupiah_cents")
    return int(whole.replace(".", ""))


class RupiahField(forms.CharField):
    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})

    def __init__(
        self, *, min_value: int | None = None, max_value: int | None = None, **kwargs: Any
    ) -> None:
        self.min_value, self.max_value = min_value, max_value
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}".replace(",", ".")
        return value

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        amount = parse_rupiah(value)
        if amount is None:
            return None
        if self.min_value is not None and amount < self.min_value:
            raise ValidationError(
                _("At least Rp %(limit)s.") % {"limit": f"{self.min_value:,}".replace(",", ".")},
                code="min_value",
            )
        if self.max_value is not None and amount > self.max_value:
            raise ValidationError(
                _("At most Rp %(limit)s.") % {"limit": f"{self.max_value:,}".replace(",", ".")},
                code="max_value",
            )
        return amount


class MonthInput(forms.TextInput):
    input_type = "month"


class MonthField(forms.CharField):
    """A reporting period as YYYY-MM."""

    widget = MonthInput

    def to_python(self, value: Any) -> str | None:  # type: ignore[override]
        text = (value or "").strip()
        if not text:
            return None
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", text) or re.fullmatch(r"(\d{1,2})/(\d{4})", text)
        if not match:
            raise ValidationError(_("Choose a month, e.g. 2026-11."), code="month")
        year, month = (
            (match.group(1), match.group(2))
            if len(match.group(1)) == 4
            else (match.group(2), match.group(1))
        )
        if not 1 <= int(month) <= 12 or not 2000 <= int(year) <= 2100:
            raise ValidationError(_("Choose a month, e.g. 2026-11."), code="month")
        return f"{int(year):04d}-{int(month):02d}"


class NikField(forms.CharField):
    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 24})

    def to_python(self, value: Any) -> str | None:  # type: ignore[override]
        if value in (None, ""):
            return None
        return normalize_nik(value)


class PhoneField(forms.CharField):
    widget = forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})

    def to_python(self, value: Any) -> str | None:  # type: ignore[override]
        if value in (None, ""):
            return None
        return normalize_phone(value)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")
