"""One spreadsheet cell → one clean value.

Each `parse_*` function takes a cell as python-calamine returns it (str, float, int, bool,
datetime.date, datetime.datetime, datetime.time, datetime.timedelta, or "" for an empty cell)
and returns a typed value, or raises ValidationError(message, code=…) saying what is wrong in
words a village treasurer understands. An empty cell ("", None or only spaces) gives None
(`parse_text` gives ""): whether a value is required is the caller's decision.

They run once per cell on files of 100,000 rows, so the common cases are checked first, every
regular expression is compiled once, and nothing is built for errors unless there is one.
"""

import datetime
import math
import re
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cooperatives.validators import normalize_nik, normalize_phone
from imports.spec import ValueType

# Loan collectibility as OJK classes it (Kol 1 … Kol 5): (value, label).
COLLECTIBILITY_CLASSES: tuple[tuple[str, str], ...] = (
    ("lancar", "Lancar"),
    ("dpk", "Dalam Perhatian Khusus"),
    ("kurang_lancar", "Kurang Lancar"),
    ("diragukan", "Diragukan"),
    ("macet", "Macet"),
)

_DASHES = str.maketrans({"–": "-", "—": "-", "−": "-", "‐": "-", "‑": "-"})
_ONE = Decimal(1)


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


def _is_digits(text: str) -> bool:
    # str.isdigit alone accepts "²" and other digits int() refuses.
    return text.isascii() and text.isdigit()


# --- text -------------------------------------------------------------------------------------


def parse_text(value: Any) -> str:
    """The cell as text. Text keeps every character except leading spaces and trailing
    whitespace: one starting with "=", "+", "-", "@", a tab or a carriage return stays exactly
    as typed and is never evaluated (escaping for a spreadsheet is the exporter's job). A whole number stored as a
    number gives "12", not "12.0"; dates and times give ISO text ("1975-08-17"); TRUE/FALSE
    cells give "TRUE"/"FALSE". An empty cell gives ""."""
    if isinstance(value, str):
        return value.rstrip().lstrip(" \u00a0")
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


# --- identifiers ------------------------------------------------------------------------------


def parse_nik(value: Any) -> str | None:
    """A NIK as 16 digits of text, checked by `normalize_nik` (which refuses a NIK stored as a
    number, code "nik_number": Excel keeps only 15 significant digits)."""
    if _is_empty(value):
        return None
    return normalize_nik(value)


def parse_phone(value: Any) -> str | None:
    """An Indonesian phone number as +62…, by `normalize_phone`. A number cell has lost the
    leading 0 (81234567890.0) and gives +6281234567890."""
    if _is_empty(value):
        return None
    return normalize_phone(value)


# --- dates ------------------------------------------------------------------------------------

_EXCEL_EPOCH = datetime.date(1899, 12, 31)  # serial 1 = 1900-01-01
_EXCEL_MAX_SERIAL = 2_958_465  # 9999-12-31
_TIME = r"(?:[ T]+\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?)?"
# Day first, always: 17-08-1975, 17/08/1975, 17.08.1975 (one separator throughout).
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d+)" + _TIME)
# Year first: 1975-08-17, 1975/08/17, with or without a time.
_YEAR_MONTH_DAY = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})" + _TIME)
# 17 Agustus 1975, 17-Agt-1975, Senin, 17 Agustus 1975.
_DAY_NAME_YEAR = re.compile(
    r"(?:([a-z']+),?\s+)?(\d{1,2})[\s\-./]*([a-z]+)\.?[\s\-./,]*(\d+)" + _TIME
)
# August 17, 1975.
_NAME_DAY_YEAR = re.compile(r"([a-z]+)\.?\s*(\d{1,2}),?\s+(\d+)")

_MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            "januari jan january",
            "februari feb peb pebruari february",
            "maret mar march",
            "april apr",
            "mei may",
            "juni jun june",
            "juli jul july",
            "agustus agu agt ags aug august",
            "september sep sept",
            "oktober okt oct october",
            "november nov nop nopember",
            "desember des dec december",
        ),
        start=1,
    )
    for name in names.split()
}
_WEEKDAYS = frozenset(
    [
        "senin",
        "selasa",
        "rabu",
        "kamis",
        "jumat",
        "jum'at",
        "sabtu",
        "minggu",
        "ahad",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
)


def _date_format_error() -> ValidationError:
    return ValidationError(
        _("Write the date as day-month-year, for example 17-08-1975 or 17 Agustus 1975."),
        code="date_format",
    )


def _make_date(year: str, month: int, day: str) -> datetime.date:
    if len(year) != 4:
        if len(year) == 2:
            raise ValidationError(
                _(
                    "Write the year with 4 digits (for example 17-08-1975): a 2-digit year "
                    "could belong to two centuries."
                ),
                code="date_short_year",
            )
        raise _date_format_error()
    try:
        return datetime.date(int(year), month, int(day))
    except ValueError:
        raise ValidationError(
            _("This date does not exist. Check the day and the month."),
            code="date_impossible",
        ) from None


def _date_from_serial(serial: float) -> datetime.date:
    if not 1 <= serial < _EXCEL_MAX_SERIAL + 1:  # also false for NaN
        raise _date_format_error()
    days = int(serial)  # a time of day is the fraction: dropped
    if days == 60:  # Excel's 29 February 1900, a day that never was
        raise ValidationError(
            _("This date does not exist. Check the day and the month."),
            code="date_impossible",
        )
    # Excel counts that day, so from 1 March 1900 (serial 61) its serials are one ahead.
    return _EXCEL_EPOCH + datetime.timedelta(days=days if days < 60 else days - 1)


def _date_from_text(text: str) -> datetime.date:
    match = _DAY_MONTH_YEAR.fullmatch(text)
    if match:
        day, _separator, month, year = match.groups()
        return _make_date(year, int(month), day)
    match = _YEAR_MONTH_DAY.fullmatch(text)
    if match:
        year, _separator, month, day = match.groups()
        return _make_date(year, int(month), day)
    lowered = text.lower()
    match = _DAY_NAME_YEAR.fullmatch(lowered)
    if match:
        weekday, day, name, year = match.groups()
        number = _MONTHS.get(name)
        if number is not None and (weekday is None or weekday in _WEEKDAYS):
            return _make_date(year, number, day)
        raise _date_format_error()
    match = _NAME_DAY_YEAR.fullmatch(lowered)
    if match:
        name, day, year = match.groups()
        number = _MONTHS.get(name)
        if number is not None:
            return _make_date(year, number, day)
    raise _date_format_error()


def parse_date(value: Any) -> datetime.date | None:
    """A date, from:

    - a date or date-and-time cell (the time is dropped);
    - an Excel serial number (1900 system: 1 = 1900-01-01; Excel's nonexistent 29 February
      1900 is serial 60, so later serials are shifted back one day), from 1 to 2958465
      (9999-12-31); a fraction is a time of day and is dropped;
    - text, day always first: 17-08-1975, 17/08/1975, 17.08.1975; 17 Agustus 1975,
      17 Agt 1975 (Indonesian or English month names and their usual abbreviations, any
      case, optionally after the day's name: "Senin, 17 Agustus 1975"); August 17, 1975;
      ISO 1975-08-17 (also with a time).

    Raises ValidationError with code "date_short_year" for a 2-digit year (which century?),
    "date_impossible" for a date that does not exist (31-02-1980), otherwise "date_format".
    """
    if type(value) is datetime.date:
        return value
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        return _date_from_text(text)
    if value is None:
        return None
    if isinstance(value, bool):
        raise _date_format_error()
    if isinstance(value, int | float):
        return _date_from_serial(value)
    if isinstance(value, datetime.date):  # a subclass of date
        return datetime.date(value.year, value.month, value.day)
    raise _date_format_error()


# --- numbers ----------------------------------------------------------------------------------


def _number_parts(text: str) -> tuple[str, str] | None:
    """Split unsigned number text into (whole digits, fraction digits), or None if it is not
    one. Rules, Indonesian first:

    - with both "." and ",": the last one is the decimal separator, the other separates
      thousands (1.000.000,50 and 1,000,000.50);
    - one kind, used more than once, or once and followed by exactly 3 digits: thousands
      (1.000.000, 1,000,000, 12.500, 12,500);
    - one kind, once, followed by 1, 2 or more than 3 digits: the decimal separator (12,5).

    Thousands groups must be whole: 1 to 3 digits (not starting with 0), then groups of 3.
    """
    last = max(text.rfind("."), text.rfind(","))
    if last < 0:
        return (text, "") if _is_digits(text) else None
    separator = text[last]
    head, tail = text[:last], text[last + 1 :]
    other = "," if separator == "." else "."
    thousands: str | None
    if other in head:
        whole, fraction, thousands = head, tail, other
    elif separator in head or len(tail) == 3:
        whole, fraction, thousands = text, "", separator
    else:
        whole, fraction, thousands = head, tail, None
    if fraction == "" and thousands != separator:  # "12," or "1.000,"
        return None
    if thousands is not None:
        groups = whole.split(thousands)
        first = groups[0]
        if not 1 <= len(first) <= 3 or first[0] == "0" or any(len(g) != 3 for g in groups[1:]):
            return None
        whole = "".join(groups)
    if not _is_digits(whole) or (fraction and not _is_digits(fraction)):
        return None
    return whole, fraction


def _signed(text: str) -> tuple[bool, str]:
    """(negative, the rest) for "-12.500"; text already stripped, dashes already plain."""
    if text[:1] == "-":
        return True, text[1:].lstrip()
    return False, text


# "(Rp 12.500)", "-Rp12.500", "Rp -12.500", "Rp100.000,-", "Rp. 1.000.000,00", "IDR 5.000".
_AMOUNT = re.compile(
    r"(?P<open>\()?(?P<sign>-)?(?:(?:rp|idr)\.?)?(?P<sign2>-)?(?P<number>[\d.,]*?)"
    r"(?:[.,]-)?(?P<close>\))?",
    re.IGNORECASE,
)


def _amount_format_error() -> ValidationError:
    return ValidationError(
        _("Write the amount in whole Rupiah, for example 1.500.000 or Rp 1.500.000."),
        code="amount_format",
    )


# Whole numbers stay below 10**18, which a 64-bit database column holds.
NUMBER_LIMIT = 10**18


def _within_limit(number: int, code: str) -> int:
    if -NUMBER_LIMIT < number < NUMBER_LIMIT:
        return number
    raise ValidationError(_("The number is too large (at most 18 digits)."), code=code)


def _round_rupiah(number: Decimal) -> int:
    return int(number.quantize(_ONE, rounding=ROUND_HALF_UP))


def _amount_from_text(text: str) -> int:
    if len(text) > 60:
        raise _amount_format_error()
    compact = "".join(text.split())  # every kind of space, also NBSP: "Rp 1 000 000"
    if not compact.isascii():
        compact = compact.translate(_DASHES)
    match = _AMOUNT.fullmatch(compact)
    if match is None:
        raise _amount_format_error()
    opened, sign, sign2, number, closed = match.group("open", "sign", "sign2", "number", "close")
    if bool(opened) != bool(closed) or (sign and sign2) or (opened and (sign or sign2)):
        raise _amount_format_error()
    negative = bool(opened or sign or sign2)
    if not number:
        if (sign or sign2) and not opened:  # "-", "Rp -": accountants' zero
            return 0
        raise _amount_format_error()
    parts = _number_parts(number)
    if parts is None:
        raise _amount_format_error()
    whole, fraction = parts
    amount = _round_rupiah(Decimal(f"{whole}.{fraction}")) if fraction else int(whole)
    return -amount if negative else amount


def parse_amount(value: Any) -> int | None:
    """An amount in whole Rupiah (negative allowed: the caller decides whether it may be).

    - Numbers: a whole number as is; a fraction (often float noise from a formula, such as
      12500.000000001) rounded to the nearest Rupiah, halves away from zero (12500.5 → 12501).
    - Text: an optional "Rp", "Rp." or "IDR"; spaces anywhere; Indonesian separators (dots for
      thousands, a comma for decimals: 1.000.000 and 1.000.000,50 → 1000001), also the English
      ones when unambiguous (1,000,000; 1,000,000.50) — see `_number_parts` for the exact
      rules; a fraction is rounded as above; a trailing ",-" or ".-" ("Rp100.000,-");
      a minus sign or parentheses for a negative amount ("-12.500", "(12.500)"); a lone dash
      ("-", "–", "—", "Rp -") means 0.
    - Anything else (words such as "seratus ribu", TRUE/FALSE, dates) raises ValidationError
      code "amount_format"; an amount of 10**18 or more, code "amount_too_large".
    """
    if isinstance(value, str):
        text = value.strip()
        if len(text) <= 18 and _is_digits(text):
            return int(text)
        if not text:
            return None
        return _within_limit(_amount_from_text(text), "amount_too_large")
    if isinstance(value, float):
        if value.is_integer():
            return _within_limit(int(value), "amount_too_large")
        if not math.isfinite(value):
            raise _amount_format_error()
        return _within_limit(_round_rupiah(Decimal(repr(value))), "amount_too_large")
    if isinstance(value, bool):
        raise _amount_format_error()
    if isinstance(value, int):
        return _within_limit(value, "amount_too_large")
    if value is None:
        return None
    if isinstance(value, Decimal) and value.is_finite():
        return _within_limit(_round_rupiah(value), "amount_too_large")
    raise _amount_format_error()


def _integer_format_error() -> ValidationError:
    return ValidationError(
        _("Write a whole number, for example 12 or 1.500."), code="integer_format"
    )


def parse_integer(value: Any) -> int | None:
    """A whole number: a number cell without a fraction (float noise such as 12.0000000001
    from a formula is tolerated), or digits with an optional minus sign and optional
    thousands separators (1.500, following the rules of `parse_amount`; "12,00" is 12).
    12.5 or "12,5" raise ValidationError code "integer_format"; a number of 10**18 or more,
    code "integer_too_large"."""
    if isinstance(value, str):
        text = value.strip()
        if len(text) <= 18 and _is_digits(text):
            return int(text)
        if not text:
            return None
        if len(text) > 60:
            raise _integer_format_error()
        if not text.isascii():
            text = text.translate(_DASHES)
        negative, rest = _signed(text)
        parts = _number_parts(rest) if rest else None
        if parts is None or parts[1].strip("0"):
            raise _integer_format_error()
        number = int(parts[0])
        return _within_limit(-number if negative else number, "integer_too_large")
    if isinstance(value, bool):
        raise _integer_format_error()
    if isinstance(value, int):
        return _within_limit(value, "integer_too_large")
    if isinstance(value, float):
        if value.is_integer():
            return _within_limit(int(value), "integer_too_large")
        if math.isfinite(value):
            nearest = round(value)
            if abs(value - nearest) <= 1e-9 * max(1.0, abs(value)):
                return _within_limit(nearest, "integer_too_large")
        raise _integer_format_error()
    if value is None:
        return None
    raise _integer_format_error()


_DECIMAL = re.compile(r"(-?[0-9]+)(?:[.,]([0-9]+))?")


def _decimal_format_error() -> ValidationError:
    return ValidationError(_("Write a number, for example 1,5 or 18."), code="decimal_format")


def parse_decimal(value: Any) -> Decimal | None:
    """A number such as a rate: 1,5 or 1.5 (one "." or "," is always the decimal point here:
    rates have no thousands), optionally followed by "%" ("1,5%", "18 %" → 1.5 and 18: the
    number as written, not divided by 100). A number cell gives its exact shortest form
    (Decimal(repr(x)): 0.1 → 0.1, not 0.1000000000000000055…); note that a cell formatted as
    a percentage holds the fraction (1,5 % is 0.015). Raises ValidationError code
    "decimal_format"."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if text[-1:] == "%":
            text = text[:-1].rstrip()
        if not text.isascii():
            text = text.translate(_DASHES)
        match = _DECIMAL.fullmatch(text)
        if match is None:
            raise _decimal_format_error()
        whole, fraction = match.groups()
        return Decimal(f"{whole}.{fraction}" if fraction else whole)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _decimal_format_error()
        return Decimal(repr(value))
    if isinstance(value, bool):
        raise _decimal_format_error()
    if isinstance(value, int):
        return Decimal(value)
    if value is None:
        return None
    if isinstance(value, Decimal) and value.is_finite():
        return value
    raise _decimal_format_error()


# --- choices ----------------------------------------------------------------------------------


_SQUASH = str.maketrans("", "", "-._–—'/")


def _squash(text: str) -> str:
    """Lower case, without spaces, dashes, dots or underscores: "Laki-laki" → "lakilaki"."""
    return "".join(text.split()).lower().translate(_SQUASH)


_SEXES = {
    **dict.fromkeys(("l", "lk", "lakilaki", "laki", "pria", "m", "male"), "L"),
    **dict.fromkeys(("p", "pr", "perempuan", "wanita", "w", "f", "female"), "P"),
}


def parse_sex(value: Any) -> str | None:
    """ "L" or "P", from L, LK, Laki-laki, Laki laki, Pria, M, Male and P, PR, Perempuan,
    Wanita, W, F, Female in any case and spacing. Otherwise ValidationError code
    "sex_invalid"."""
    if isinstance(value, str):
        text = value.strip()
        if text == "L" or text == "P":
            return text
        if not text:
            return None
        sex = _SEXES.get(_squash(text))
        if sex is not None:
            return sex
    elif value is None:
        return None
    raise ValidationError(
        _("Write L for a man (laki-laki, pria) or P for a woman (perempuan, wanita)."),
        code="sex_invalid",
    )


_COLLECTIBILITY = {
    **{_squash(label): value for value, label in COLLECTIBILITY_CLASSES},
    **{value.replace("_", ""): value for value, _label in COLLECTIBILITY_CLASSES},
    "kl": "kurang_lancar",
    **{str(number): value for number, (value, _label) in enumerate(COLLECTIBILITY_CLASSES, 1)},
    **{f"kol{number}": value for number, (value, _label) in enumerate(COLLECTIBILITY_CLASSES, 1)},
}


def parse_collectibility(value: Any) -> str | None:
    """A loan's collectibility as one of the values of COLLECTIBILITY_CLASSES, from its name
    (Lancar, DPK or Dalam Perhatian Khusus, KL or Kurang Lancar, Diragukan, Macet) or its OJK
    class number (1 to 5, "Kol 2", "Kol-2"), in any case and spacing. Otherwise
    ValidationError code "collectibility_invalid"."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        key = _squash(text)
    elif value is None:
        return None
    elif (
        isinstance(value, int | float) and not isinstance(value, bool) and value in (1, 2, 3, 4, 5)
    ):
        key = str(int(value))
    else:
        key = ""
    found = _COLLECTIBILITY.get(key)
    if found is not None:
        return found
    raise ValidationError(
        _(
            "Write the collectibility as Lancar, DPK, Kurang Lancar, Diragukan or Macet "
            "(or as its class number, 1 to 5)."
        ),
        code="collectibility_invalid",
    )


def _fold(text: str) -> str:
    return "".join(text.split()).casefold()


@lru_cache(maxsize=64)
def _choice_index(choices: tuple[str, ...]) -> dict[str, str]:
    index: dict[str, str] = {}
    for choice in choices:
        index.setdefault(_fold(choice), choice)
    return index


def parse_choice(value: Any, choices: Sequence[str]) -> str | None:
    """The one of `choices` the cell names, compared without case or spaces, returned as
    written in `choices`. Otherwise ValidationError code "choice_invalid" listing them (the
    first 10, then "…")."""
    text = parse_text(value)
    if not text:
        return None
    found = _choice_index(tuple(choices)).get(_fold(text))
    if found is not None:
        return found
    listed = ", ".join(choices[:10]) + (", …" if len(choices) > 10 else "")
    raise ValidationError(
        _("Choose one of these: %(choices)s") % {"choices": listed}, code="choice_invalid"
    )


# --- formulas without a saved value -----------------------------------------------------------

MAX_FORMULA_LENGTH = 1000
MAX_FORMULA_DEPTH = 50

# Numbers as Excel writes them in formulas (dot decimal, optional exponent), cell references
# (A1, $F$5, AB12), the four operators, "%", parentheses and spaces. Anything else (a name such
# as SUM, ":", "!", quotes, "^", "&", comparisons) is a character no token starts with.
_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<cell>\$?[A-Za-z]{1,3}\$?[1-9][0-9]{0,6})(?![A-Za-z0-9_.(:!])"
    r"|(?P<op>[-+*/()%])"
    r")"
)

Number = int | float


class _FormulaError(Exception):
    pass


def _formula_unsupported() -> ValidationError:
    return ValidationError(
        _(
            "This cell holds a formula without a saved result, and it cannot be calculated "
            "here. Open the file in Excel and save it again, or type the value instead of the "
            "formula."
        ),
        code="formula_unsupported",
    )


def _tokens(formula: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position, end = 0, len(formula)
    while position < end:
        match = _TOKEN.match(formula, position)
        if match is None:
            if formula[position:].strip():
                raise _FormulaError
            break
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    """expression := term (("+" | "-") term)*
    term        := unary (("*" | "/") unary)*
    unary       := ("+" | "-") unary | primary "%"*
    primary     := number | cell | "(" expression ")"
    """

    def __init__(self, tokens: list[tuple[str, str]], cell: Callable[[str], Any]) -> None:
        self.tokens = tokens
        self.position = 0
        self.depth = 0
        self.cell = cell

    def peek(self) -> str | None:
        if self.position < len(self.tokens):
            kind, text = self.tokens[self.position]
            return text if kind == "op" else None
        return None

    def take(self) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise _FormulaError
        token = self.tokens[self.position]
        self.position += 1
        return token

    def expression(self) -> Number:
        result = self.term()
        while (op := self.peek()) in ("+", "-"):
            self.position += 1
            right = self.term()
            result = result + right if op == "+" else result - right
        return result

    def term(self) -> Number:
        result = self.unary()
        while (op := self.peek()) in ("*", "/"):
            self.position += 1
            right = self.unary()
            if op == "*":
                result = result * right
            elif right == 0:
                raise ValidationError(
                    _(
                        "The formula in this cell divides by zero. Correct it in Excel, or "
                        "type the value instead of the formula."
                    ),
                    code="formula_div_zero",
                )
            else:
                result = result / right
        return result

    def unary(self) -> Number:
        op = self.peek()
        if op in ("+", "-"):
            self.position += 1
            self.enter()
            operand = self.unary()
            self.depth -= 1
            return -operand if op == "-" else operand
        result = self.primary()
        while self.peek() == "%":
            self.position += 1
            result = result / 100
        return result

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_FORMULA_DEPTH:
            raise _FormulaError

    def primary(self) -> Number:
        kind, text = self.take()
        if kind == "number":
            return float(text) if "." in text or "e" in text or "E" in text else int(text)
        if kind == "cell":
            return self.reference(text.replace("$", "").upper())
        if text == "(":
            self.enter()
            result = self.expression()
            self.depth -= 1
            if self.take() != ("op", ")"):
                raise _FormulaError
            return result
        raise _FormulaError

    def reference(self, name: str) -> Number:
        value = self.cell(name)
        if value is None or value == "":
            return 0  # as in Excel, an empty cell counts as 0
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        raise ValidationError(
            _(
                "The formula uses cell %(cell)s, which does not hold a number. Open the file "
                "in Excel and save it again, or type the value instead of the formula."
            )
            % {"cell": name},
            code="formula_unsupported",
        )


def evaluate_formula(formula: str, cell: Callable[[str], Any]) -> int | float:
    """The result of a formula whose cell has no saved value (a file written by a program
    rather than saved by Excel).

    Only simple arithmetic is computed: numbers (written with a dot, as Excel stores them),
    cell references such as F5, $F$5 or AB12, + - * /, a unary minus, "%" and parentheses; the
    leading "=" is optional. `cell("F5")` must return that cell's value on the same sheet; an
    empty cell ("" or None) counts as 0, as in Excel. Results follow Python arithmetic: int
    while only whole numbers are added, subtracted and multiplied; float after a division, a
    "%" or a number with a fraction.

    The text is read by a small tokenizer and parser, never evaluated as Python; formulas
    longer than MAX_FORMULA_LENGTH characters or nested deeper than MAX_FORMULA_DEPTH are
    refused.

    Raises ValidationError code "formula_unsupported" for anything else (functions such as
    SUM(…), ranges A1:A3, other sheets, text, comparisons, "^", "&"), and for a referenced cell
    holding text; code "formula_div_zero" for a division by zero.
    """
    text = formula.strip()
    if text[:1] == "=":
        text = text[1:]
    if not text or len(text) > MAX_FORMULA_LENGTH:
        raise _formula_unsupported()
    try:
        parser = _Parser(_tokens(text), cell)
        result = parser.expression()
        if parser.position != len(parser.tokens):
            raise _FormulaError
        if isinstance(result, float) and not math.isfinite(result):
            raise _FormulaError
    except (_FormulaError, OverflowError, RecursionError, InvalidOperation):
        raise _formula_unsupported() from None
    return result


PARSERS: dict[ValueType, Callable[[Any], Any]] = {
    ValueType.TEXT: parse_text,
    ValueType.NIK: parse_nik,
    ValueType.PHONE: parse_phone,
    ValueType.DATE: parse_date,
    ValueType.AMOUNT: parse_amount,
    ValueType.INTEGER: parse_integer,
    ValueType.DECIMAL: parse_decimal,
}
