"""What a spreadsheet column is, shared by import kinds, templates and exports.

A column is declared once — its heading, the other headings villages use for it, how its
values are read and what the *Petunjuk* sheet says about it — so that a template generated from
it imports cleanly and an export of it re-imports cleanly.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise


class ValueType(StrEnum):
    TEXT = "text"  # kept verbatim: never evaluated, even when it starts with "="
    NIK = "nik"  # 16 digits, stored and exported as text
    PHONE = "phone"  # +62…, exported as text
    DATE = "date"
    AMOUNT = "amount"  # whole Rupiah
    INTEGER = "integer"
    DECIMAL = "decimal"  # rates, e.g. 1,5 (% per month)
    CHOICE = "choice"  # one of `choices` (sex, collectibility, a form's choice list)


@dataclass(frozen=True)
class Column:
    key: str
    heading: str  # the template's heading, in Bahasa Indonesia as villages write it
    type: ValueType = ValueType.TEXT
    required: bool = False
    aliases: tuple[str, ...] = ()  # other headings that mean this column
    help: str | Promise = ""  # one sentence for the *Petunjuk* sheet
    example: Any = None  # the template's example row
    choices: tuple[str, ...] = ()  # the dropdown offered in a template (CHOICE columns)
    width: int | None = None  # characters; None: derived from the type and heading
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def headings(self) -> tuple[str, ...]:
        return (self.heading, *self.aliases)
