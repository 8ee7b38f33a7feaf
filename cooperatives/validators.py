"""Indonesian identifiers: NIK, phone numbers, NPWP, NIB.

Each `normalize_*` function returns the canonical text or raises ValidationError with a message a
village operator can act on. They are shared by forms, the API and spreadsheet imports.
"""

import csv
import datetime
import re
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DATA_DIR = Path(__file__).resolve().parent / "data"
# Separators people type or paste into identifiers: spaces, dots, dashes, non-breaking spaces.
_SEPARATORS = re.compile(r"[\s.\-\u00a0\u202f]+")


@cache
def province_codes() -> frozenset[str]:
    with (DATA_DIR / "province_codes.csv").open(newline="", encoding="utf-8") as handle:
        return frozenset(row["code"] for row in csv.DictReader(handle))


def nik_birth_date(nik: str) -> tuple[datetime.date | None, str]:
    """The birth date and sex ("L"/"P") encoded in a 16-digit NIK.

    Digits 7-8 hold the day (plus 40 for women), 9-10 the month and 11-12 the year's last two
    digits. The century is not encoded; the most recent century that makes a valid past date wins.
    Returns (None, sex) when no valid date fits.
    """
    day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "P" if day > 40 else "L"
    if day > 40:
        day -= 40
    today = datetime.date.today()
    for century in (2000, 1900):
        try:
            candidate = datetime.date(century + year2, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate, sex
    return None, sex


def normalize_nik(value: object) -> str:
    """Return the NIK as 16 digits of text, or raise ValidationError saying what is wrong."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Excel keeps 15 significant digits: a NIK typed into a number cell has lost its last one.
        raise ValidationError(
            _(
                "The NIK was stored as a number, so its last digits may be lost. Format the "
                "column as Text and type the NIK again."
            ),
            code="nik_number",
        )
    text = _SEPARATORS.sub("", str(value or ""))
    if not text:
        raise ValidationError(_("NIK is required."), code="required")
    if not text.isdigit() or len(text) != 16:
        raise ValidationError(
            _("A NIK has exactly 16 digits (this one has %(count)s characters).")
            % {"count": len(text)},
            code="nik_length",
        )
    if text[:2] not in province_codes():
        raise ValidationError(
            _("The NIK must start with a valid province code (for example 64 for Kaltim)."),
            code="nik_province",
        )
    day = int(text[6:8])
    if not (1 <= day <= 31 or 41 <= day <= 71):
        raise ValidationError(
            _("Digits 7-8 of the NIK must be a birth day: 01-31, or 41-71 for women."),
            code="nik_birth_day",
        )
    if nik_birth_date(text)[0] is None:
        raise ValidationError(
            _("Digits 7-12 of the NIK are not a valid birth date (day, month, year)."),
            code="nik_birth_date",
        )
    return text


def validate_nik(value: str) -> None:
    if normalize_nik(value) != value:
        raise ValidationError(_("Write the NIK as 16 digits without spaces."), code="nik_format")


def normalize_phone(value: object) -> str:
    """Return an Indonesian phone number as +62…, accepting 08…, 628…, +628… and lost leading 0s."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = re.sub(r"[\s\-().\u00a0]+", "", str(value or ""))
    if not text:
        raise ValidationError(_("Phone number is required."), code="required")
    if text.startswith("+"):
        text = text[1:]
        if not text.startswith("62"):
            raise ValidationError(
                _("Only Indonesian numbers (+62) are accepted."), code="phone_country"
            )
    if not text.isdigit():
        raise ValidationError(_("A phone number may only contain digits."), code="phone_digits")
    if text.startswith("62"):
        national = text[2:]
    elif text.startswith("0"):
        national = text[1:]
    elif text.startswith("8"):
        # A number typed into a number cell loses its leading 0.
        national = text
    else:
        raise ValidationError(
            _("Write the phone number as 08…, 628… or +628…."), code="phone_prefix"
        )
    national = national.lstrip("0")
    if not 8 <= len(national) <= 12:
        raise ValidationError(_("The phone number is too short or too long."), code="phone_length")
    return "+62" + national


def validate_phone(value: str) -> None:
    if value and normalize_phone(value) != value:
        raise ValidationError(_("Write the phone number as +62…."), code="phone_format")


def normalize_digits(value: object, *, lengths: tuple[int, ...], label: str) -> str:
    """Digits of an identifier such as NPWP (15 or 16) or NIB (13), separators removed."""
    text = _SEPARATORS.sub("", str(value or ""))
    if not text:
        return ""
    if not text.isdigit() or len(text) not in lengths:
        raise ValidationError(
            _("%(label)s must have %(lengths)s digits.")
            % {"label": label, "lengths": _(" or ").join(str(n) for n in lengths)},
            code="digits",
        )
    return text


def validate_npwp(value: str) -> None:
    normalize_digits(value, lengths=(15, 16), label="NPWP")


def validate_nib(value: str) -> None:
    normalize_digits(value, lengths=(13,), label="NIB")
